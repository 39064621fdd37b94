"""Reports with a 3 MB photo each, offered on an open loop, and whether the photo work blocks intake's other requests.

    .venv/bin/python -m bench.attachments_peak --rate 20 --duration 30

Starts the office as ``lianxin up`` runs it (private virtual host, fresh SQLite databases, files under a
temporary folder), then for ``--duration`` seconds POSTs ``--rate`` reports a second, each multipart with one
photo of about 3 MB (camera-like noise, EXIF with a GPS position), while a reader GETs ``/reports?limit=1``
every 100 ms. Prints the accept latency (scheduled send to 201) and the reader's latency before and during the
uploads: if the photos' decoding and re-encoding blocked the event loop, the reader's p99 would climb to a
photo's processing time. Prints figures, asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from PIL import ExifTags, Image

from bench.harness import OPERATOR, Office, private_vhost, quantiles_ms, service_databases, start_office, stop_office

REPORT = {"channel": "hotline", "village": "chengguan-dongguan", "reporter": None,
          "content": "村口道路塌陷一个大坑，晚上骑车很危险，附上照片。"}
TARGET_BYTES = 3 * 1024 * 1024


def camera_photo(seed: int) -> bytes:
    """A JPEG of about 3 MB that compresses like a photo (noise), with the EXIF a phone writes."""
    rng = random.Random(seed)
    side = 1400
    while True:
        image = Image.frombytes("RGB", (side * 4 // 3, side), rng.randbytes(side * 4 // 3 * side * 3))
        exif = Image.Exif()
        exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "Phone", "X1"
        exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 15.0, 7.5)}
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, exif=exif)
        if out.tell() >= TARGET_BYTES * 0.95:
            return out.getvalue()
        side += 100


def reader(url: str, stop: threading.Event, latencies: list[float]) -> None:
    """GET a page of reports every 100 ms: the plain request the photo work must not hold up."""
    with httpx.Client(base_url=url, headers=OPERATOR, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            client.get("/reports", params={"limit": 1}).raise_for_status()
            latencies.append(time.monotonic() - started)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))


def offer(url: str, rate: float, duration: float, photos: list[bytes]) -> tuple[list[float], list[str]]:
    """An open loop: each report due at its time whatever the earlier ones are doing."""
    latencies, failures = [], []
    lock = threading.Lock()
    local = threading.local()

    def send(number: int, due: float) -> None:
        client = getattr(local, "client", None) or httpx.Client(base_url=url, headers=OPERATOR, timeout=60)
        local.client = client
        body = {**REPORT, "content": f"{REPORT['content']}（第{number}张）"}
        answer = client.post("/reports", data={"data": json.dumps(body, ensure_ascii=False)},
                             files=[("files", (f"IMG_{number:04d}.jpg", photos[number % len(photos)], "image/jpeg"))])
        with lock:
            (latencies.append(time.monotonic() - due) if answer.status_code == 201
             else failures.append(f"{answer.status_code} {answer.text[:120]}"))

    count = int(rate * duration)
    with ThreadPoolExecutor(max_workers=64) as pool:
        start = time.monotonic() + 0.5
        for number in range(count):
            due = start + number / rate
            time.sleep(max(0.0, due - time.monotonic()))
            pool.submit(send, number, due)
    return latencies, failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0, help="reports with a photo per second")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of offered load")
    args = parser.parse_args()

    photos = [camera_photo(seed) for seed in range(4)]
    print(f"photo: {len(photos[0]) / 2**20:.1f} MiB JPEG with EXIF/GPS; {args.rate:g}/s for {args.duration:g} s")
    with tempfile.TemporaryDirectory(prefix="lianxin-bench-") as tmp, private_vhost() as amqp_uri, \
            service_databases("sqlite", Path(tmp)) as databases:
        office = Office()
        os.environ["LIANXIN_ATTACHMENTS_ROOT"] = str(Path(tmp) / "attachments")  # the services inherit it
        try:
            start_office(office, amqp_uri, databases, Path(tmp), 1, "WARNING")
            [url] = office.urls("intake")
            idle: list[float] = []
            stop = threading.Event()
            thread = threading.Thread(target=reader, args=(url, stop, idle))
            thread.start()
            time.sleep(5)
            stop.set()
            thread.join()

            during: list[float] = []
            stop = threading.Event()
            thread = threading.Thread(target=reader, args=(url, stop, during))
            thread.start()
            accepted, failures = offer(url, args.rate, args.duration, photos)
            stop.set()
            thread.join()
        finally:
            stop_office(office)
    print(f"accepted {len(accepted)} of {int(args.rate * args.duration)} ({len(failures)} refused or failed"
          f"{': ' + failures[0] if failures else ''})")
    print(f"accept latency ms (scheduled send to 201): {quantiles_ms(accepted)}")
    print(f"plain GET /reports latency ms, idle:        {quantiles_ms(idle)}")
    print(f"plain GET /reports latency ms, during:      {quantiles_ms(during)}")


if __name__ == "__main__":
    main()

"""Reports with a 3 MB photo each, offered on an open loop, and whether the photo work blocks intake's other requests.

    .venv/bin/python -m bench.attachments_peak --rate 20 --duration 30
    .venv/bin/python -m bench.attachments_peak --photo noise      # the worst case: 2400x1800 of pure noise
    .venv/bin/python -m bench.attachments_peak --cpu-only         # the CPU of one photo's work alone

First prints the CPU one photo takes in this process: taken in (``inspection.inspect``, what intake does in
its thread pool before answering) and its thumbnail and web copy (``inspection.rendition``, made when a page
first shows them). Then starts the office as ``lianxin up`` runs it (private virtual host, fresh SQLite
databases or ``--database postgresql``, files under a temporary folder), and for ``--duration`` seconds POSTs
``--rate`` reports a second, each multipart with one photo of about 3 MB with EXIF and a GPS position — by default a
phone's 12-megapixel photo (4032x3024, smooth scene with sensor grain), or ``--photo noise`` (2400x1800 of
pure noise, which no camera makes but which is the hardest to decode) — while a reader GETs
``/reports?limit=1`` every 100 ms. Prints the accept latency (scheduled send to 201) and the reader's latency
before and during the uploads (if the photos' decoding and re-encoding blocked the event loop, the reader's p99
would climb to a photo's processing time) and intake's CPU per accepted report. Prints figures, asserts nothing.
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

from bench.harness import (
    OPERATOR,
    Office,
    cpu_seconds,
    private_vhost,
    quantiles_ms,
    service_databases,
    start_office,
    stop_office,
)

REPORT = {"channel": "hotline", "village": "chengguan-dongguan", "reporter": None,
          "content": "村口道路塌陷一个大坑，晚上骑车很危险，附上照片。"}
TARGET_BYTES = 3 * 1024 * 1024
PHONE = (4032, 3024)  # a phone camera's 12 megapixels


def phone_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make], exif[ExifTags.Base.Model] = "Phone", "X1"
    exif[ExifTags.IFD.GPSInfo] = {ExifTags.GPS.GPSLatitudeRef: "N", ExifTags.GPS.GPSLatitude: (30.0, 15.0, 7.5)}
    return exif


def camera_photo(seed: int) -> bytes:
    """A phone's 12-megapixel JPEG of about 3 MB: a smooth scene with the sensor's grain, the EXIF a phone writes."""
    rng = random.Random(seed)
    scene = Image.frombytes("RGB", (48, 36), rng.randbytes(48 * 36 * 3)).resize(PHONE, Image.Resampling.BICUBIC)
    grain = 10
    while True:
        image = Image.blend(scene, Image.effect_noise(PHONE, grain).convert("RGB"), 0.33)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=88, exif=phone_exif())
        if out.tell() >= TARGET_BYTES * 0.95:
            return out.getvalue()
        grain += 4


def noise_photo(seed: int) -> bytes:
    """A JPEG of about 3 MB of pure noise (2400x1800 and up): the most work per byte a decoder can be given."""
    rng = random.Random(seed)
    side = 1400
    while True:
        image = Image.frombytes("RGB", (side * 4 // 3, side), rng.randbytes(side * 4 // 3 * side * 3))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=85, exif=phone_exif())
        if out.tell() >= TARGET_BYTES * 0.95:
            return out.getvalue()
        side += 100


PHOTOS = {"camera": camera_photo, "noise": noise_photo}


def cpu_ms(work, items: list, rounds: int = 3) -> float:
    """CPU milliseconds of ``work(item)``, on average, in this process."""
    work(items[0])  # imports and caches warmed
    started = time.process_time()
    for item in items * rounds:
        work(item)
    return (time.process_time() - started) * 1000 / (len(items) * rounds)


def photo_work_ms(photos: list[bytes]) -> dict[str, float]:
    """What a photo costs in CPU: taken in (intake's thread pool, before the 201) and each copy made when a page
    first shows it."""
    from lianxin.attachments.inspection import inspect, rendition
    kept = [inspect(photo, "IMG_0000.jpg", "files").clean.data for photo in photos]
    return {"taken in": cpu_ms(lambda photo: inspect(photo, "IMG_0000.jpg", "files"), photos),
            "thumbnail, once": cpu_ms(lambda clean: rendition(clean, "thumbnail"), kept),
            "web copy, once": cpu_ms(lambda clean: rendition(clean, "web"), kept)}


def reader(url: str, stop: threading.Event, latencies: list[float]) -> None:
    """GET a page of reports every 100 ms: the plain request the photo work must not hold up."""
    with httpx.Client(base_url=url, headers=OPERATOR, timeout=30) as client:
        while not stop.is_set():
            started = time.monotonic()
            try:
                client.get("/reports", params={"limit": 1}).raise_for_status()
            except httpx.TimeoutException:
                pass  # counted at the timeout: the answer was held at least that long
            latencies.append(time.monotonic() - started)
            time.sleep(max(0.0, 0.1 - (time.monotonic() - started)))


def first_view(client: httpx.Client, report_id: str) -> float:
    """Seconds to the photo's thumbnail asked for the first time (made then, in intake's thread pool)."""
    [photo] = client.get(f"/reports/{report_id}").raise_for_status().json()["attachments"]
    started = time.monotonic()
    client.get(f"/reports/{report_id}/attachments/{photo['hash']}", params={"rendition": "thumbnail"}
               ).raise_for_status()
    return time.monotonic() - started


def offer(url: str, rate: float, duration: float, photos: list[bytes], viewed: list[float] | None = None
          ) -> tuple[list[float], list[str]]:
    """An open loop: each report due at its time whatever the earlier ones are doing; with ``viewed``, each
    report's thumbnail is then asked for at once (its first view's time appended)."""
    latencies, failures = [], []
    lock = threading.Lock()
    local = threading.local()

    def send(number: int, due: float) -> None:
        client = getattr(local, "client", None) or httpx.Client(base_url=url, headers=OPERATOR, timeout=60)
        local.client = client
        body = {**REPORT, "content": f"{REPORT['content']}（第{number}张）"}
        try:
            answer = client.post("/reports", data={"data": json.dumps(body, ensure_ascii=False)}, files=[
                ("files", (f"IMG_{number:04d}.jpg", photos[number % len(photos)], "image/jpeg"))])
        except httpx.HTTPError as exc:  # no answer within the timeout: failed, not lost from the count
            with lock:
                failures.append(f"{exc.__class__.__name__} after {time.monotonic() - due:.0f} s")
            return
        with lock:
            (latencies.append(time.monotonic() - due) if answer.status_code == 201
             else failures.append(f"{answer.status_code} {answer.text[:120]}"))
        if viewed is not None and answer.status_code == 201:
            seconds = first_view(client, answer.json()["report_id"])
            with lock:
                viewed.append(seconds)

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
    parser.add_argument("--photo", choices=PHOTOS, default="camera", help="a phone's photo, or pure noise")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite",
                        help="fresh SQLite files, or fresh databases on 127.0.0.1:5432 (dropped afterwards)")
    parser.add_argument("--cpu-only", action="store_true", help="only the CPU of one photo's work, in process")
    parser.add_argument("--view", action="store_true",
                        help="ask for each report's thumbnail right after its 201: every copy made under the load")
    args = parser.parse_args()

    photos = [PHOTOS[args.photo](seed) for seed in range(4)]
    size = Image.open(io.BytesIO(photos[0])).size
    print(f"photo ({args.photo}): {len(photos[0]) / 2**20:.1f} MiB JPEG {size[0]}x{size[1]} with EXIF/GPS")
    print("CPU per photo, in process: " + ", ".join(f"{k} {v:.0f} ms" for k, v in photo_work_ms(photos).items()))
    if args.cpu_only:
        return
    print(f"offered: {args.rate:g}/s for {args.duration:g} s")
    with tempfile.TemporaryDirectory(prefix="lianxin-bench-") as tmp, private_vhost() as amqp_uri, \
            service_databases(args.database, Path(tmp)) as databases:
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
            [intake] = [p for p in office.processes if p.service == "intake"]
            cpu_before, own_before, offered_at = cpu_seconds(intake.popen.pid), time.process_time(), time.monotonic()
            viewed: list[float] | None = [] if args.view else None
            accepted, failures = offer(url, args.rate, args.duration, photos, viewed)
            intake_cpu = cpu_seconds(intake.popen.pid) - cpu_before
            own_cpu, span = time.process_time() - own_before, time.monotonic() - offered_at
            stop.set()
            thread.join()
        finally:
            stop_office(office)
    print(f"accepted {len(accepted)} of {int(args.rate * args.duration)} ({len(failures)} refused or failed"
          f"{': ' + failures[0] if failures else ''})")
    print(f"accept latency ms (scheduled send to 201): {quantiles_ms(accepted)}")
    print(f"plain GET /reports latency ms, idle:        {quantiles_ms(idle)}")
    print(f"plain GET /reports latency ms, during:      {quantiles_ms(during)}")
    if viewed is not None:
        print(f"thumbnail's first view latency ms:          {quantiles_ms(viewed)}")
    print(f"intake CPU while offered: {intake_cpu:.1f} s, {intake_cpu * 1000 / max(1, len(accepted)):.0f} ms "
          f"per accepted report (the reader's GETs included); the generator's own {own_cpu:.1f} s; {span:.0f} s "
          f"from the first send to the last answer; machine load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

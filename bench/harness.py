"""The benchmarks' office: what bench/intake_peak.py, bench/fault_drill.py and bench/reads.py share.

Starts the four services as processes exactly as ``lianxin up`` runs them (on a private RabbitMQ
virtual host, fresh databases, free ports), optionally at a lower priority, with other consumer
settings or capped at a share of a core (a cgroup); samples their RSS and CPU from /proc; offers
reports over HTTP on an open loop; and counts what the databases and the queues hold.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import httpx
import pika
import yaml

from lianxin import testing
from lianxin.testing import free_port, rabbitmqctl  # noqa: F401 (the benchmarks use them through the harness)

REPO_ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
BROKER = os.environ.get("LIANXIN_BENCH_BROKER", f"{HOST}:5672")
POSTGRES = {"host": HOST, "port": int(os.environ.get("LIANXIN_BENCH_POSTGRES_PORT", "5432")), "user": "postgres"}
SERVICES = ("intake", "dispatch", "supervision", "scoring")
OPERATOR = {"Authorization": "Bearer dev-hotline-op-01"}
SUPERVISOR = {"Authorization": "Bearer dev-supervisor-01"}
PAGE = 200  # dispatch's largest page
CURSOR_MARGIN = 200  # case ids re-read on each poll: on PostgreSQL, ids may commit out of order
CPUS = os.cpu_count() or 1
SETTLE_S = 60  # RSS grows while caches fill; growth is counted from this many seconds into the run


# --- the office ------------------------------------------------------------------------------------

# a virtual host of our own on the brokers of ``LIANXIN_BENCH_BROKER`` (a cluster's nodes, comma-separated:
# one URI per node joined by ``;``, kombu's failover alternates, which ``broker_parameters`` turns into pika's)
private_vhost = partial(testing.broker_vhost, "lianxin-bench", BROKER)


def broker_parameters(amqp_uri: str) -> list[pika.URLParameters]:
    """pika's connection parameters of each alternate in a (kombu failover) URI; pika tries them in turn."""
    return [pika.URLParameters(uri) for uri in amqp_uri.split(";")]


def service_databases(kind: str, data_dir: Path, services=SERVICES):
    """One fresh database per service (replicas of a service share it); PostgreSQL ones are dropped after."""
    return testing.service_databases(kind, data_dir, services, prefix="lianxin_bench",
                                     postgres_url=f"postgresql+psycopg://{POSTGRES['user']}@{HOST}:{POSTGRES['port']}")


@dataclass
class Process:
    name: str  # "intake", "intake-2", "dispatch", ...
    service: str
    url: str
    log: Path
    popen: subprocess.Popen


@dataclass
class Office:
    processes: list[Process] = field(default_factory=list)

    def urls(self, service: str) -> list[str]:
        return [p.url for p in self.processes if p.service == service]

    def pids(self) -> dict[str, int]:
        return {p.name: p.popen.pid for p in self.processes}

    def dead(self) -> list[Process]:
        return [p for p in self.processes if p.popen.poll() is not None]


@dataclass(frozen=True)
class Tuning:
    """How one service runs in a benchmark: its process priority and its consumers' settings.

    During a burst the downstream services (dispatch, supervision, scoring) run niced, so the kernel
    gives intake's HTTP answers the CPU first and the downstream takes what is left: the queues and
    outboxes hold the backlog meanwhile, which is what they are for. A smaller prefetch and batch keep
    each downstream transaction and its CPU slice short.
    """
    nice: int = 0
    prefetch: int | None = None  # <S>_PREFETCH_COUNT; None: the service's default
    batch: int | None = None  # <S>_BATCH_SIZE
    env: tuple[tuple[str, str], ...] = ()  # anything else, e.g. (("LIANXIN_QUEUE_TYPE", "quorum"),)

    def variables(self, service: str) -> dict[str, str]:
        prefix = service.upper()
        out = dict(self.env)
        if self.prefetch is not None:
            out[f"{prefix}_PREFETCH_COUNT"] = str(self.prefetch)
        if self.batch is not None:
            out[f"{prefix}_BATCH_SIZE"] = str(self.batch)
        return out


def service_env(service: str, port: int, amqp_uri: str, database_url: str, data_dir: Path, log_level: str,
                tuning: Tuning = Tuning()) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.endswith(("_DATABASE_URL", "_HTTP_ADDRESS"))}
    prefix = service.upper()
    env.update({"AMQP_URI": amqp_uri, "LIANXIN_DATA_DIR": str(data_dir), "LOG_LEVEL": log_level,
                "PYTHONUNBUFFERED": "1", f"{prefix}_DATABASE_URL": database_url,
                f"{prefix}_HTTP_ADDRESS": f"{HOST}:{port}", **tuning.variables(service)})
    return env


def service_command(service: str, tuning: Tuning = Tuning()) -> list[str]:
    """``lianxin run <service>``, behind ``nice`` when the tuning lowers its priority (same pid: nice execs)."""
    command = [sys.executable, "-m", "lianxin.cli", "run", service]
    return ["nice", "-n", str(tuning.nice), *command] if tuning.nice else command


def spawn(office: Office, name: str, service: str, amqp_uri: str, database_url: str, data_dir: Path,
          log_level: str, tuning: Tuning = Tuning()) -> Process:
    port = free_port()
    log = data_dir / f"{name}.log"
    with open(log, "wb") as out:
        popen = subprocess.Popen(service_command(service, tuning), cwd=REPO_ROOT,
                                 env=service_env(service, port, amqp_uri, database_url, data_dir, log_level, tuning),
                                 stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    process = Process(name, service, f"http://{HOST}:{port}", log, popen)
    office.processes.append(process)
    return process


def wait_healthy(process: Process, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise RuntimeError(f"{process.name} exited with code {process.popen.returncode}:\n{log_tail(process)}")
        try:
            if httpx.get(f"{process.url}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} not healthy at {process.url} within {timeout:.0f}s:\n{log_tail(process)}")


def start_office(office: Office, amqp_uri: str, databases: dict[str, str], data_dir: Path, replicas: int | dict,
                 log_level: str, tunings: dict[str, Tuning] | None = None) -> None:
    """The services of ``databases``, then the extra replicas (after the first of each applied the migrations).

    ``replicas`` is intake's count, or a count per service ({"intake": 2, "dispatch": 4}; 0 leaves a
    service out); ``tunings`` the Tuning of each service (default: as ``lianxin up`` runs it).
    """
    counts = {**dict.fromkeys(databases, 1), **(replicas if isinstance(replicas, dict) else {"intake": replicas})}
    tunings = tunings or {}

    def one(service: str, n: int) -> Process:
        return spawn(office, service if n == 1 else f"{service}-{n}", service, amqp_uri, databases[service],
                     data_dir, log_level, tunings.get(service, Tuning()))

    for process in [one(service, 1) for service in databases if counts[service] >= 1]:
        wait_healthy(process)
    for process in [one(service, n) for service in databases for n in range(2, counts[service] + 1)]:
        wait_healthy(process)


def stop_office(office: Office, grace: float = 20.0) -> None:
    """SIGTERM to every service, then SIGKILL to whoever is still there after the grace period."""
    for p in office.processes:
        if p.popen.poll() is None:
            p.popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in office.processes:
        try:
            p.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.popen.kill()
            p.popen.wait(timeout=10)


def broker_pid() -> int | None:
    """The RabbitMQ node's OS process, to sample its CPU beside the services' (shared with anyone else's
    traffic on this node)."""
    try:
        out = subprocess.run(["rabbitmqctl", "-q", "eval", "list_to_integer(os:getpid())."], check=True,
                             capture_output=True, text=True, timeout=30).stdout
        return int(out.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def log_tail(process: Process, lines: int = 30) -> str:
    try:
        return "\n".join(process.log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- memory and CPU --------------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def cpu_seconds(pid: int | str) -> float | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    except (OSError, IndexError, ValueError):
        return None


def machine_busy_ticks() -> tuple[int, int]:
    with open("/proc/stat") as stat:
        values = [int(v) for v in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values) - idle, sum(values)


class Sampler(threading.Thread):
    """Every second: each service's RSS and CPU time, the generator's CPU time and the machine's busy share."""

    def __init__(self, pids: dict[str, int], interval: float = 1.0):
        super().__init__(daemon=True, name="rss-sampler")
        self.pids, self.interval = pids, interval
        self.samples: list[tuple[float, dict, dict, float | None, tuple[int, int]]] = []
        self._halt = threading.Event()

    def run(self):
        while not self._halt.is_set():
            self.sample()
            self._halt.wait(self.interval)

    def sample(self):
        rss = {name: rss_kib(pid) for name, pid in self.pids.items()}
        cpu = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self.samples.append((time.monotonic(), rss, cpu, cpu_seconds("self"), machine_busy_ticks()))

    def stop(self):
        self._halt.set()
        self.join(timeout=5)
        self.sample()

    def window(self, start: float, end: float) -> dict:
        """Peak RSS (MiB) and CPU share (% of one core) of each service between two monotonic times."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {"services": {name: {"peak_rss_mib": None, "cpu_percent": None, "cpu_seconds": None}
                                 for name in self.pids},
                    "generator_cpu_percent": None, "machine_busy_percent": None}
        (t0, _, cpu0, gen0, busy0), (t1, _, cpu1, gen1, busy1) = inside[0], inside[-1]
        span = t1 - t0
        services = {}
        for name in self.pids:
            peaks = [s[1][name] for s in inside if s[1][name] is not None]
            used = (cpu1[name] - cpu0[name]) if cpu1[name] is not None and cpu0[name] is not None else None
            services[name] = {"peak_rss_mib": round(max(peaks) / 1024, 1) if peaks else None,
                              "cpu_percent": round(100 * used / span, 1) if used is not None else None,
                              "cpu_seconds": round(used, 2) if used is not None else None}
        busy = 100 * (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
        return {"services": services, "generator_cpu_percent": round(100 * (gen1 - gen0) / span, 1),
                "machine_busy_percent": round(busy, 1)}

    def growth(self) -> dict:
        """First, peak and last RSS of each service over the whole run, and the growth after the first
        minute (warming up, caches fill: a leak shows as growth after that)."""
        out = {}
        settle = self.samples[0][0] + SETTLE_S if self.samples else 0
        for name in self.pids:
            timed = [(s[0], s[1][name]) for s in self.samples if s[1][name] is not None]
            if timed:
                values = [v for _, v in timed]
                settled = next((v for t, v in timed if t >= settle), None)
                out[name] = {"first_mib": round(values[0] / 1024, 1), "peak_mib": round(max(values) / 1024, 1),
                             "last_mib": round(values[-1] / 1024, 1),
                             "settled_mib": None if settled is None else round(settled / 1024, 1),
                             "growth_after_settling_mib": None if settled is None else
                             round((values[-1] - settled) / 1024, 1),
                             # warming up levels off, a leak keeps climbing: the shape tells them apart
                             "each_minute_mib": each_minute(timed)}
        return out


def each_minute(timed: list[tuple[float, int]]) -> list[float]:
    """RSS (MiB) at the start of each minute of a run, from (monotonic time, KiB) samples."""
    marks, start = [], timed[0][0]
    for t, value in timed:
        if t - start >= 60 * len(marks):
            marks.append(round(value / 1024, 1))
    return marks


# --- what citizens report --------------------------------------------------------------------------

# common characters for the free-text part of a report, so no two reports read alike
COMMON = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
          "方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应"
          "开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
          "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求"
          "老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光"
          "门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速"
          "花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需"
          "段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感")
OPENINGS = ("反映{kw}的问题：", "关于{kw}，", "来电称{kw}一事，", "{place}群众反映{kw}：", "咨询{kw}政策，")


class ReportMaker:
    """Reports no duplicate check links together: village and category cycle over every pair of the
    county, anonymous (unless ``reachable``), and most of the words are drawn at random."""

    def __init__(self, directory: Path, seed: int, reachable: bool = False):
        self.reachable = reachable  # each report with a phone of its own: its petitioner can be called back
        county = yaml.safe_load(directory.read_text(encoding="utf-8"))
        villages = [(v["code"], v["name"]) for t in county["townships"] for v in t["villages"]]
        categories = [(c["code"], c.get("keywords") or [c["name"]]) for c in county["categories"]]
        self.pairs = [(v, c) for v in villages for c in categories]
        self.random = random.Random(seed)
        self.random.shuffle(self.pairs)

    def body(self, number: int) -> bytes:
        (village, place), (category, keywords) = self.pairs[number % len(self.pairs)]
        opening = self.random.choice(OPENINGS).format(kw=self.random.choice(keywords), place=place)
        words = "".join(self.random.choices(COMMON, k=self.random.randint(40, 70)))
        report = {"channel": self.random.choice(("hotline", "hotline", "web", "mailbox")), "village": village,
                  "category": category, "content": f"{opening}{words}。", "reporter": None}
        if self.reachable:
            report["reporter"] = {"phone": f"139{number % 10**8:08d}"}
        return json.dumps(report, ensure_ascii=False).encode()


# --- the open loop ---------------------------------------------------------------------------------

@dataclass
class Sent:
    scheduled: float  # monotonic (event loop clock): when the report is due to be sent
    released: float | None = None  # when the scheduler handed it to the connections (its own lag)
    started: float | None = None  # when a connection took it (after waiting for a free one)
    answered: float | None = None
    accepted_wall: float | None = None  # time.time() when the 201 arrived
    received_at: float | None = None  # intake's own received_at, wall clock
    status: int | None = None
    error: str | None = None
    report_id: str | None = None


class KeepAliveConnection:
    """One HTTP/1.1 keep-alive connection that POSTs JSON to one path, on asyncio streams.

    The generator must cost far less than what it measures: httpx's AsyncClient spends about 2 ms
    of CPU per request here, so on a small machine it could not itself offer 500 reports/s. This
    speaks just what the nameko services answer (Content-Length or chunked bodies, keep-alive unless
    told to close) and reconnects after any error.
    """

    def __init__(self, url: str, path: str, headers: dict[str, str]):
        address = httpx.URL(url)
        self.host, self.port = address.host, address.port
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}", *(f"{k}: {v}" for k, v in headers.items())]
        self.head = ("\r\n".join(lines) + "\r\nContent-Length: ").encode()
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        try:
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(self.head + str(len(body)).encode() + b"\r\n\r\n" + body)
            head = await self.reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            fields = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
            fields = {name.strip().lower(): value.strip().lower() for name, value in fields.items()}
            if b"content-length" in fields:
                payload = await self.reader.readexactly(int(fields[b"content-length"]))
            elif fields.get(b"transfer-encoding") == b"chunked":
                payload = await self._chunks()
            else:
                payload = await self.reader.read()
                fields[b"connection"] = b"close"
            if fields.get(b"connection") == b"close":
                self.close()
            return status, payload
        except BaseException:  # a timeout's cancellation too: the connection is in an unknown state
            self.close()
            raise

    async def _chunks(self) -> bytes:
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size))
            await self.reader.readexactly(2)
        await self.reader.readuntil(b"\r\n")
        return b"".join(parts)

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def send(connection: KeepAliveConnection, body: bytes, sent: Sent, timeout: float) -> None:
    loop = asyncio.get_running_loop()
    sent.started = loop.time()
    if sent.started - sent.scheduled > timeout:  # bounded: the office is that far behind
        sent.answered, sent.error = sent.started, f"not sent: waited over {timeout:g}s for a free connection"
        return
    try:
        status, payload = await asyncio.wait_for(connection.post(body), timeout)
        sent.answered, sent.accepted_wall, sent.status = loop.time(), time.time(), status
        if status == 201:
            report = json.loads(payload)
            sent.report_id = report["report_id"]
            sent.received_at = datetime.fromisoformat(report["received_at"]).timestamp()
        else:
            sent.error = f"{status}: {payload[:300].decode(errors='replace')}"
    except Exception as exc:  # a timeout or a broken connection is a failed report, whatever its kind
        sent.answered, sent.error = loop.time(), f"{exc.__class__.__name__}: {exc}"[:300]


async def offer(urls: list[str], bodies: list[bytes], rate: float, connections: int,
                timeout: float) -> tuple[list[Sent], float, float]:
    """Send each body at its scheduled time, round-robin over the intake replicas.

    A scheduler releases every report when it is due into its replica's queue; ``connections``
    senders, each with a keep-alive connection of its own, take them from it. A slow answer holds one
    sender, never the schedule: while any connection is free a report goes out on time, and when all
    are busy the office is that far behind and the wait is counted in the report's latency. Returns
    the records and the monotonic and wall time of the first slot.
    """
    headers = {**OPERATOR, "Content-Type": "application/json"}
    senders = [(replica, KeepAliveConnection(urls[replica], "/reports", headers))
               for replica in (n % len(urls) for n in range(max(connections, len(urls))))]
    queues: list[asyncio.Queue[int | None]] = [asyncio.Queue() for _ in urls]
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.1
    start_wall = time.time() + (start - loop.time())
    records = [Sent(scheduled=start + n / rate) for n in range(len(bodies))]

    async def scheduler():
        released = 0
        while released < len(records):
            now = loop.time()
            while released < len(records) and records[released].scheduled <= now:
                records[released].released = now
                queues[released % len(urls)].put_nowait(released)
                released += 1
            if released < len(records):
                await asyncio.sleep(max(0.0, records[released].scheduled - loop.time()))
        for replica, _connection in senders:
            queues[replica].put_nowait(None)

    async def sender(replica: int, connection: KeepAliveConnection):
        try:
            while (number := await queues[replica].get()) is not None:
                await send(connection, bodies[number], records[number], timeout)
        finally:
            connection.close()

    await asyncio.gather(scheduler(), *(sender(replica, connection) for replica, connection in senders))
    return records, start, start_wall


# --- the case board --------------------------------------------------------------------------------

class CaseBoard:
    """Dispatch's cases as the supervisor sees them, paged with ``after``; keyed by case id, so
    re-reading a page never counts a case twice."""

    def __init__(self, url: str):
        self.client = httpx.Client(base_url=url, headers=SUPERVISOR, timeout=60)
        self.cases: dict[str, dict] = {}
        self.highest = 0

    def close(self):
        self.client.close()

    def read(self, after_pk: int = 0) -> int:
        """Read every case after a row id; returns how many pages it took."""
        after, pages = (f"C{after_pk:08d}" if after_pk else None), 0
        while True:
            params = {"limit": PAGE, **({"after": after} if after else {})}
            answer = self.client.get("/cases", params=params)
            answer.raise_for_status()
            page = answer.json()
            pages += 1
            for case in page["cases"]:
                self.cases[case["case_id"]] = case
                self.highest = max(self.highest, int(case["case_id"][1:]))
            if not (after := page["next_after"]):
                return pages

    def read_new(self) -> int:
        """The board is newest first: read from the top down to the margin below the highest case seen."""
        floor, after, pages = max(0, self.highest - CURSOR_MARGIN), None, 0
        while True:
            answer = self.client.get("/cases", params={"limit": PAGE, **({"after": after} if after else {})})
            answer.raise_for_status()
            page, pages = answer.json(), pages + 1
            for case in page["cases"]:
                self.cases[case["case_id"]] = case
            ids = [int(case["case_id"][1:]) for case in page["cases"]]
            self.highest = max([self.highest, *ids])
            if not ids or not (after := page["next_after"]) or min(ids) <= floor:
                return pages

    def index(self) -> tuple[dict[str, list[dict]], dict[str, list[str]]]:
        """report id -> its own cases, and report id -> the cases it was linked to as a repeat."""
        own, linked = {}, {}
        for case in self.cases.values():
            own.setdefault(case["report_id"], []).append(case)
            for report_id in case.get("linked_reports") or []:
                linked.setdefault(report_id, []).append(case["case_id"])
        return own, linked


FULL_READ_EVERY_S = 10.0


def await_dispatch(board: CaseBoard, report_ids: list[str], timeout: float) -> tuple[float, bool]:
    """Poll the case board until every report has a case or the time is up; returns (seconds, drained)."""
    began = last_full_read = time.monotonic()
    while True:
        board.read_new()
        own, linked = board.index()
        missing = [r for r in report_ids if r not in own and r not in linked]
        if missing and time.monotonic() - last_full_read > FULL_READ_EVERY_S:
            # a repeat joins its original's case, which may sit below where read_new stops: read it all again
            board.read()
            last_full_read = time.monotonic()
            own, linked = board.index()
            missing = [r for r in report_ids if r not in own and r not in linked]
        if not missing:
            return time.monotonic() - began, True
        if time.monotonic() - began > timeout:
            return time.monotonic() - began, False
        time.sleep(0.5)


def count_cases(board: CaseBoard, report_ids: list[str]) -> dict:
    """Lost: accepted, yet no case has it. Duplicated: more than one case opened for it."""
    own, linked = board.index()
    return {"lost": sum(1 for r in report_ids if r not in own and r not in linked),
            "duplicated": sum(1 for r in report_ids if len(own.get(r, ())) > 1),
            "linked": sum(1 for r in report_ids if r not in own and r in linked)}


# --- percentiles ---------------------------------------------------------------------------------

def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def quantiles_ms(seconds: list[float]) -> dict:
    return {f"p{q}": None if (v := percentile(seconds, q)) is None else round(v * 1000, 1) for q in (50, 95, 99)}




# --- a share of a core: cgroups --------------------------------------------------------------------

CGROUP_V1 = Path("/sys/fs/cgroup/cpu")
CGROUP_V2 = Path("/sys/fs/cgroup")
CFS_PERIOD_US = 100_000


class CpuCaps:
    """Each capped process in a cgroup of its own, ``lianxin-bench-N``, limited to ``share`` of one core.

    cgroup v1 (``cpu.cfs_quota_us`` over ``cpu.cfs_period_us``) where the cpu controller is mounted on its
    own, v2 (``cpu.max``) otherwise; needs root. ``close()`` moves the processes back to the root group
    and removes every group it made, so nothing is left behind (a context manager).
    """

    def __init__(self, share: float):
        self.share = share
        self.groups: list[Path] = []
        self.v1 = (CGROUP_V1 / "cpu.cfs_quota_us").exists()
        self.root = CGROUP_V1 if self.v1 else CGROUP_V2

    def cap(self, pid: int) -> Path:
        group = self.root / f"lianxin-bench-{os.getpid()}-{len(self.groups) + 1}"
        group.mkdir()
        self.groups.append(group)
        quota = int(self.share * CFS_PERIOD_US)
        if self.v1:
            (group / "cpu.cfs_period_us").write_text(str(CFS_PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {CFS_PERIOD_US}")
        (group / "cgroup.procs").write_text(str(pid))
        return group

    def throttled_s(self) -> dict[str, float]:
        """Seconds each group was held back by its quota (cpu.stat), by group name."""
        out = {}
        for group in self.groups:
            try:
                stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
            except (OSError, ValueError):
                continue
            value = stat.get("throttled_time") or stat.get("throttled_usec")
            if value is not None:
                out[group.name] = int(value) / (1e9 if "throttled_time" in stat else 1e6)
        return out

    def close(self) -> None:
        for group in reversed(self.groups):
            try:
                for pid in (group / "cgroup.procs").read_text().split():
                    try:
                        (self.root / "cgroup.procs").write_text(pid)
                    except OSError:  # gone meanwhile
                        pass
                group.rmdir()
            except OSError:
                pass
        self.groups.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- the backlog: queues and outboxes --------------------------------------------------------------

def event_queues() -> list[str]:
    """Every consumer queue of the catalogue, ``<service>.<event type>``."""
    from lianxin.events import CATALOGUE
    return [f"{consumer}.{event_type}" for event_type, entry in CATALOGUE.items() for consumer in entry.consumers]


class QueueDepths:
    """Ready messages of each event queue, read with a passive declare (AMQP itself, no management plugin).

    A passive declare counts the messages waiting to be delivered; those delivered and not yet acked (up to
    the prefetch of each consumer) are not in the figure.
    """

    def __init__(self, amqp_uri: str):
        self.parameters = broker_parameters(amqp_uri)
        self.queues = event_queues()
        self.connection = None

    def read(self) -> dict[str, int]:
        try:
            if self.connection is None or not self.connection.is_open:
                self.connection = pika.BlockingConnection(self.parameters)
            depths = {}
            for queue in self.queues:
                channel = self.connection.channel()
                try:
                    depths[queue] = channel.queue_declare(queue, passive=True).method.message_count
                    channel.close()
                except pika.exceptions.ChannelClosedByBroker:  # not declared yet: nothing waits in it
                    depths[queue] = 0
            return depths
        except (pika.exceptions.AMQPError, OSError):
            self.connection = None
            return {}

    def close(self):
        if self.connection is not None and self.connection.is_open:
            self.connection.close()


class Databases:
    """Counting straight from the services' databases (one engine each, kept open for polling)."""

    def __init__(self, urls: dict[str, str]):
        from sqlalchemy import create_engine
        self.engines = {service: create_engine(url, pool_size=1, max_overflow=0) for service, url in urls.items()}

    def scalar(self, service: str, sql: str, **params):
        from sqlalchemy import text
        with self.engines[service].connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, service: str, sql: str, **params) -> list:
        from sqlalchemy import text
        with self.engines[service].connect() as conn:
            return list(conn.execute(text(sql), params))

    def outbox_backlog(self) -> dict[str, int]:
        return {service: self.scalar(service, "SELECT count(*) FROM outbox WHERE published_at IS NULL")
                for service in self.engines}

    def cases(self) -> int:
        return self.scalar("dispatch", "SELECT count(*) FROM cases")

    def reports(self) -> int:
        return self.scalar("intake", "SELECT count(*) FROM reports")

    def count_cases(self, report_ids: list[str]) -> dict:
        """Lost: accepted, yet no case has it (neither its own nor linked as a repeat). Duplicated: more than
        one case opened for it. Read from dispatch's table, not its API."""
        own: dict[str, int] = {}
        linked: set[str] = set()
        for report_id, joined in self.rows("dispatch", "SELECT report_id, linked_reports FROM cases"):
            own[report_id] = own.get(report_id, 0) + 1
            linked.update(json.loads(joined) if isinstance(joined, str) else (joined or ()))
        return {"lost": sum(1 for r in report_ids if r not in own and r not in linked),
                "duplicated": sum(1 for r in report_ids if own.get(r, 0) > 1),
                "linked": sum(1 for r in report_ids if r not in own and r in linked),
                "cases": sum(own.values())}

    def dispatched_at(self, report_ids: set[str]) -> dict[str, float]:
        """report id -> its case's dispatched_at (epoch seconds)."""
        out = {}
        for report_id, at in self.rows("dispatch", "SELECT report_id, dispatched_at FROM cases"):
            if report_id in report_ids:
                when = at if isinstance(at, datetime) else datetime.fromisoformat(at)
                out[report_id] = (when if when.tzinfo else when.replace(tzinfo=timezone.utc)).timestamp()
        return out

    def close(self):
        for engine in self.engines.values():
            engine.dispose()

"""A three-node RabbitMQ cluster on this machine, and the fault drill on it (issue 20, target 6).

    .venv/bin/python -m bench.rabbit_cluster up       # three nodes, clustered; prints the AMQP URIs
    .venv/bin/python -m bench.rabbit_cluster drill    # up, the drill with quorum queues while a node dies, down
    .venv/bin/python -m bench.rabbit_cluster down     # stops the nodes and removes their directories

The nodes are ``lianxin-bench-a@localhost`` … ``-c`` with AMQP on 5681–5683 and Erlang distribution on
25681–25683, each with its own config, enabled-plugins (none), Mnesia and log directories under
``/tmp/lianxin-rabbit-cluster`` and the local node's Erlang cookie (``rabbitmq-server`` and ``rabbitmqctl``
run as the ``rabbitmq`` user, whose home holds it). The machine's own node on 5672 is never touched.

``drill`` also makes a PostgreSQL cluster of its own (``lianxin_drill`` on port 5439, removed afterwards),
so nothing of the machine's default cluster is used. It measures the broker's pipelined publish ceiling
to a quorum queue with three nodes and with one down, then runs ``bench/fault_drill.py``'s drill with
``LIANXIN_QUEUE_TYPE=quorum`` and every service given all three nodes (kombu fails over along the list),
no other faults, while node a is killed (SIGKILL) and restarted, then node b; it exits 1 if the drill
finds anything lost, doubled or mismatched.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE = Path("/tmp/lianxin-rabbit-cluster")
NODES = {"a": 5681, "b": 5682, "c": 5683}
DIST_OFFSET = 20000
PG_VERSION, PG_CLUSTER, PG_PORT = "15", "lianxin_drill", 5439


def nodename(node: str) -> str:
    return f"lianxin-bench-{node}@localhost"


def node_env(node: str) -> dict[str, str]:
    """The variables ``rabbitmq-server`` and ``rabbitmqctl`` read (``su`` passes them on to the rabbitmq user)."""
    folder = BASE / node
    return {**os.environ, "RABBITMQ_NODENAME": nodename(node), "RABBITMQ_NODE_PORT": str(NODES[node]),
            "RABBITMQ_DIST_PORT": str(NODES[node] + DIST_OFFSET),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"), "RABBITMQ_LOG_BASE": str(folder / "log")}


def ctl(node: str, *args: str, check: bool = True, timeout: float = 120) -> str:
    done = subprocess.run(["rabbitmqctl", "-q", "-n", nodename(node), *args], env=node_env(node),
                          capture_output=True, text=True, timeout=timeout)
    if check and done.returncode:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {node}: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip()


def prepare(node: str) -> None:
    folder = BASE / node
    for sub in ("mnesia", "log"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    (folder / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{NODES[node]}\n"
                                          "cluster_partition_handling = pause_minority\n")
    # the machine's env file names its own node; this one keeps only the loopback distribution settings
    (folder / "rabbitmq-env.conf").write_text(
        'ERL_EPMD_ADDRESS=127.0.0.1\nexport ERL_FLAGS="-kernel inet_dist_use_interface {127,0,0,1}"\n')
    (folder / "enabled_plugins").write_text("[].\n")
    shutil.chown(BASE, "rabbitmq", "rabbitmq")
    for path in [folder, *folder.rglob("*")]:
        shutil.chown(path, "rabbitmq", "rabbitmq")


def start(node: str) -> None:
    subprocess.run(["rabbitmq-server", "-detached"], env=node_env(node), check=True, capture_output=True)
    for _ in range(120):
        if subprocess.run(["rabbitmqctl", "-q", "-n", nodename(node), "await_startup", "--timeout", "5"],
                          env=node_env(node), capture_output=True).returncode == 0:
            return
        time.sleep(1)
    raise RuntimeError(f"{nodename(node)} did not start; see {BASE / node / 'log'}")


def os_pid(node: str) -> int | None:
    try:
        return int(ctl(node, "eval", "list_to_integer(os:getpid()).", timeout=30))
    except (RuntimeError, ValueError, subprocess.TimeoutExpired):
        return None


def kill(node: str) -> None:
    """SIGKILL the node's Erlang VM: no goodbye to its peers or clients."""
    if (pid := os_pid(node)) is not None:
        os.kill(pid, signal.SIGKILL)
        time.sleep(1)


def up() -> list[str]:
    BASE.mkdir(parents=True, exist_ok=True)
    for node in NODES:
        prepare(node)
        start(node)
    for node in list(NODES)[1:]:
        ctl(node, "stop_app")
        ctl(node, "join_cluster", nodename("a"))
        ctl(node, "start_app")
    return [f"amqp://guest:guest@127.0.0.1:{port}/" for port in NODES.values()]


def down() -> None:
    for node in NODES:
        pid = os_pid(node)
        ctl(node, "stop", check=False, timeout=60)
        if pid is not None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    shutil.rmtree(BASE, ignore_errors=True)


def running_nodes() -> str:
    return " ".join(ctl("c", "eval", "rabbit_nodes:all_running().", check=False).split())


# --- a PostgreSQL cluster of the drill's own --------------------------------------------------------

def postgres_up() -> None:
    subprocess.run(["pg_createcluster", "-p", str(PG_PORT), PG_VERSION, PG_CLUSTER, "--", "-A", "trust"],
                   check=True, capture_output=True)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, PG_CLUSTER, "start"], check=True,
                   capture_output=True)


def postgres_down() -> None:
    subprocess.run(["pg_dropcluster", "--stop", PG_VERSION, PG_CLUSTER], capture_output=True)


# --- the drill ---------------------------------------------------------------------------------------

def quorum_ceilings(amqp_uri: str, messages: int) -> tuple[dict, dict]:
    """Persistent messages published with pipelined confirms to one quorum queue (declared while the three
    nodes are up, so it has a member on each): with all three, then with node a killed (a majority left)."""
    import pika

    from bench.intake_peak import CEILING_QUEUE, publish_pipelined
    parameters = pika.URLParameters(amqp_uri)
    with pika.BlockingConnection(parameters) as connection:
        connection.channel().queue_declare(CEILING_QUEUE, durable=True, arguments={"x-queue-type": "quorum"})
    try:
        all_up = publish_pipelined(parameters, messages, window=500, time_cap=120)
        with pika.BlockingConnection(parameters) as connection:
            connection.channel().queue_purge(CEILING_QUEUE)
        kill("a")
        one_down = publish_pipelined(parameters, messages, window=500, time_cap=120)
        start("a")
        return all_up, one_down
    finally:
        with pika.BlockingConnection(parameters) as connection:
            connection.channel().queue_delete(CEILING_QUEUE)


def drill(reports: int, rate: float, messages: int) -> int:
    uris = up()
    try:
        postgres_up()
        # the harness and the drill read where the broker and PostgreSQL are when they are imported
        os.environ.update({"LIANXIN_BENCH_BROKER": ",".join(f"127.0.0.1:{p}" for p in NODES.values()),
                           "LIANXIN_BENCH_POSTGRES_PORT": str(PG_PORT), "LIANXIN_QUEUE_TYPE": "quorum",
                           "RABBITMQ_NODENAME": nodename("c")})  # rabbitmqctl (the vhost) asks node c
        from bench import fault_drill, harness
        print(f"cluster up: {running_nodes()}", flush=True)
        with harness.private_vhost() as amqp_uri:
            all_up, one_down = quorum_ceilings(amqp_uri.split(";")[2], messages)  # node c's: it stays up
        print(f"quorum queue, pipelined publish with confirms: {all_up['per_s']:.0f} msgs/s with 3 nodes, "
              f"{one_down['per_s']:.0f} msgs/s with one down", flush=True)
        outcome = fault_drill.drill(reports, rate, faults=False, extra_steps=[
            (0.2, "kill -9 RabbitMQ node a", lambda: kill("a")),
            (0.4, "start node a again", lambda: start("a")),
            (0.6, "kill -9 RabbitMQ node b", lambda: kill("b")),
            (0.8, "start node b again", lambda: start("b"))])
        print(f"nodes at the end: {running_nodes()}", flush=True)
        return 1 if outcome.problems else 0
    finally:
        postgres_down()
        down()
        print(f"cluster removed ({', '.join(uris)})", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("up", "down", "drill"))
    parser.add_argument("--reports", type=int, default=600, help="reports of the drill")
    parser.add_argument("--rate", type=float, default=10.0, help="reports/s the drill offers")
    parser.add_argument("--messages", type=int, default=20000, help="messages of each ceiling measurement")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.command == "up":
        for uri in up():
            print(uri)
        print(running_nodes())
        return 0
    if args.command == "down":
        down()
        return 0
    return drill(args.reports, args.rate, args.messages)


if __name__ == "__main__":
    sys.exit(main())

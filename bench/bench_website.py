"""Website benchmark: `.venv/bin/python bench/bench_website.py`

Data: a throwaway database with the four addons, their demo data, scaled to
20 specialists and 20,000 bookings (bench/website_data.py, about 5 minutes);
``--reuse`` takes one left by an earlier run with ``--keep`` (updated when the
addons' code changed).
Server: Odoo on it with 2 workers (``--workers=2``), no cron, on loopback.
Load: 20 concurrent clients (threads, each a browser-like visitor keeping its
cookies, one connection per request, no pause between requests), each figure
over ``--requests`` requests after a warm-up:

- ``POST /smartbook/slots``, 7 days, any specialist and one specialist:
  p95 under 150 ms;
- the booking pages ``GET /book`` and ``GET /book/service/<slug>``: p95 under
  300 ms; Odoo's home page for reference;
- one month (31 days) of "any specialist" in one response: the bytes of
  ``POST /smartbook/availability`` (target under 50 KB), and beside them those of
  ``/smartbook/slots`` for the same month.

Latencies are measured by the clients: with 20 clients on 2 workers they
include the time a request waits for a free worker. Beside them: the server's
own time per request (queries, SQL time, the rest, from Odoo's request log),
the CPU a request costs (Odoo's processes and PostgreSQL's backends, read from
/proc: what a loaded machine does not change much) with what it would give on
2 cores of its own, and the latency of one client alone. The server is
stopped and, unless ``--keep``, the database dropped at the end; the exit
status is 1 when a target is missed.
"""
# pylint: disable=print-used
# A benchmark: it reports its figures on standard output.

import argparse
import contextlib
import http.client
import itertools
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import website_data  # noqa: E402
from tests.common import command_env, drop_database, free_port, query  # noqa: E402

SLOTS_P95_MS = 150
PAGE_P95_MS = 300
MONTH_MAX_BYTES = 50_000
ALONE_REQUESTS = 40
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CORES = 2  # the workers: what the server could use on an otherwise idle machine
# A browser's: Odoo treats clients it takes for robots differently (no visitor tracking).
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
LOG_LINE = re.compile(r'"(GET|POST) (\S+) HTTP/[\d.]+" (\d+) - (\d+) ([\d.]+) ([\d.]+)')


# ---------------------------------------------------------------------- HTTP


def call(port, method, path, body=None, timeout=120, cookies=None):
    """One request on a new connection: (status, body bytes, seconds). ``cookies``
    (a dict) is sent and updated with what the server sets, as a browser does."""
    headers = {"Connection": "close", "User-Agent": USER_AGENT}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        seconds = time.perf_counter() - started
        if cookies is not None:
            for header in response.headers.get_all("Set-Cookie") or ():
                name, _sep, value = header.split(";", 1)[0].partition("=")
                cookies[name.strip()] = value.strip()
        return response.status, payload, seconds
    finally:
        connection.close()


def rpc(params):
    return {"jsonrpc": "2.0", "method": "call", "params": params, "id": 1}


def problem(status, payload, json_result_key=None):
    """Why a response is not a success, or None."""
    if status != 200:
        return f"HTTP {status}: {payload[:200]!r}"
    if json_result_key:
        try:
            answer = json.loads(payload)
        except ValueError:
            return f"not JSON: {payload[:200]!r}"
        if "error" in answer:
            return f"JSON-RPC error: {json.dumps(answer['error'])[:300]}"
        if json_result_key not in (answer.get("result") or {}):
            return f"no {json_result_key!r} in the result: {payload[:200]!r}"
    return None


def load(port, make_request, clients, total):
    """Run ``total`` requests from ``clients`` concurrent threads, each a visitor
    with its own cookies; ``make_request(i)`` gives (method, path, body,
    json_result_key). Returns (latencies in ms, errors, seconds of the whole run)."""
    counter = itertools.count()
    latencies, errors = [], []
    barrier = threading.Barrier(clients + 1)

    def client():
        cookies = {}
        barrier.wait()
        while (index := next(counter)) < total:
            method, path, body, key = make_request(index)
            try:
                status, payload, seconds = call(port, method, path, body, cookies=cookies)
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{type(error).__name__}: {error}")
                continue
            failure = problem(status, payload, key)
            if failure:
                errors.append(failure)
            else:
                latencies.append(seconds * 1000)

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


# ---------------------------------------------------------------------- the server


def start_server(dbname, data_dir, port, gevent_port, logfile):
    args = [
        sys.executable, "-m", "odoo", "server",
        f"--addons-path={ROOT}", "-d", dbname,
        "--workers=2", "--max-cron-threads=0",
        "--http-interface=127.0.0.1", f"--http-port={port}", f"--gevent-port={gevent_port}",
        f"--data-dir={data_dir}", "--log-level=warn", "--log-handler=werkzeug:INFO", f"--logfile={logfile}",
    ]  # fmt: skip
    server = subprocess.Popen(  # pylint: disable=consider-using-with
        args, env=command_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"Odoo stopped at start (exit {server.returncode}); see {logfile}")
        with contextlib.suppress(OSError):  # not listening yet
            if call(port, "GET", "/web/login", timeout=30)[0] == 200:
                return server
        time.sleep(1)
    stop_server(server)
    sys.exit(f"Odoo did not answer on port {port} within 180 s; see {logfile}")


def stop_server(server):
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)  # the prefork master stops its workers
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)  # its own process group (start_new_session)
            server.wait()


def cpu_seconds(pid):
    """User + system CPU time of a process so far, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_snapshot(server_pid, dbname):
    """CPU seconds so far of the Odoo server's processes (its master, workers and
    gevent process) and of the PostgreSQL backends serving the database, by pid."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    odoo_pids, todo = set(), [server_pid]
    while todo:
        pid = todo.pop()
        odoo_pids.add(pid)
        todo.extend(child for child, parent in parents.items() if parent == pid)
    backends = query(
        dbname, "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname]
    )
    snapshot = {"odoo": {}, "postgresql": {}}
    for kind, pids in (("odoo", odoo_pids), ("postgresql", [row[0] for row in backends])):
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds is not None:
                snapshot[kind][pid] = seconds
    return snapshot


def cpu_used(before, after):
    """CPU seconds used between two snapshots, by kind (a process that started in
    between counts whole)."""
    return {
        kind: sum(seconds - before[kind].get(pid, 0.0) for pid, seconds in after[kind].items())
        for kind in after
    }


def listen_overflows():
    """The kernel's count of connections dropped because a listen queue was full
    (the whole machine's; TcpExt ListenOverflows), or 0 when unknown."""
    try:
        with open("/proc/net/netstat", encoding="ascii") as netstat:
            lines = netstat.read().splitlines()
    except OSError:
        return 0
    for names, values in zip(lines[::2], lines[1::2], strict=False):
        if names.startswith("TcpExt:") and "ListenOverflows" in names.split():
            return int(values.split()[names.split().index("ListenOverflows")])
    return 0


def server_figures(logfile, offset, path_prefix):
    """Median (queries, SQL ms, other ms) of the logged requests to ``path_prefix``
    written after ``offset``, and their number."""
    rows = []
    with open(logfile, encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        for line in log:
            match = LOG_LINE.search(line)
            if match and match.group(2).startswith(path_prefix):
                rows.append((int(match.group(4)), float(match.group(5)) * 1000, float(match.group(6)) * 1000))
    if not rows:
        return None
    return tuple(statistics.median(row[i] for row in rows) for i in range(3)) + (len(rows),)


# ---------------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, port, logfile, clients, requests, server_pid, dbname):
        self.port, self.logfile, self.clients, self.requests = port, logfile, clients, requests
        self.server_pid, self.dbname = server_pid, dbname
        self.lines = []
        self.failed = False

    def verdict(self, ok):
        self.failed |= not ok
        return "PASS" if ok else "FAIL"

    def scenario(self, title, make_request, target_ms, log_prefix):
        # Warm-up: every worker loads the registry, QWeb templates and asset bundles.
        load(self.port, make_request, self.clients, 2 * self.clients)
        offset = os.path.getsize(self.logfile)
        cpu_before, client_before = cpu_snapshot(self.server_pid, self.dbname), time.process_time()
        overflows = listen_overflows()
        latencies, errors, seconds = load(self.port, make_request, self.clients, self.requests)
        overflows = listen_overflows() - overflows
        cpu = cpu_used(cpu_before, cpu_snapshot(self.server_pid, self.dbname))
        client_cpu = time.process_time() - client_before
        time.sleep(0.5)  # the log lines of the last requests
        if errors:
            self.verdict(False)
            self.lines.append(f"{title}: {len(errors)} of {self.requests} requests failed, e.g. {errors[0]}")
            return
        p50, p95, worst = (percentile(latencies, q) for q in (0.5, 0.95, 1.0))
        line = (
            f"{title:<38} p50 {p50:5.0f} ms  p95 {p95:5.0f} ms  max {worst:5.0f} ms"
            f"  ({len(latencies) / seconds:5.1f} req/s)"
        )
        if target_ms:
            line += f"   target p95 < {target_ms} ms  {self.verdict(p95 < target_ms)}"
        figures = server_figures(self.logfile, offset, log_prefix)
        if figures:
            line += (
                f"\n{'':<4}server time of a request under that load (median of {figures[3]}):"
                f" {figures[0]:.0f} queries, {figures[1]:.1f} ms in SQL, {figures[2]:.1f} ms in the rest"
            )
        slow = sum(latency >= 1000 for latency in latencies)
        if slow or overflows:
            # Odoo's prefork server listens with a queue of 8 connections per worker:
            # a connection beyond it waits for the client's TCP retry, a second later.
            line += (
                f"\n{'':<4}{slow} requests took 1 s or more; the machine's listen queues overflowed"
                f" {overflows} times meanwhile (Odoo queues 8 connections per worker)"
            )
        # What a request costs in CPU, whatever else the machine runs, and what
        # that would give on 2 cores of its own: the clients share the
        # workers, each request waits for those before it.
        odoo_ms, pg_ms = (cpu[kind] * 1000 / self.requests for kind in ("odoo", "postgresql"))
        per_request = odoo_ms + pg_ms
        line += (
            f"\n{'':<4}CPU per request: {odoo_ms:.1f} ms Odoo + {pg_ms:.1f} ms PostgreSQL"
            f" (the load generator: {client_cpu * 1000 / self.requests:.1f} ms); on {CORES} cores of its"
            f" own: at most {CORES * 1000 / per_request:.0f} req/s, {self.clients} clients"
            f" ≈ {self.clients * per_request / CORES:.0f} ms each"
        )
        # The same requests one at a time: the latency without waiting for a worker.
        alone, errors, _seconds = load(self.port, make_request, 1, ALONE_REQUESTS)
        if alone and not errors:
            line += (
                f"\n{'':<4}one client alone ({ALONE_REQUESTS} requests): p50 {percentile(alone, 0.5):.0f} ms,"
                f" p95 {percentile(alone, 0.95):.0f} ms"
            )
        self.lines.append(line)

    def available(self, method, path, body=None, key=None):
        status, payload, _seconds = call(self.port, method, path, body)
        failure = problem(status, payload, key)
        if failure:
            self.lines.append(f"{method} {path}: not measured, {failure}")
        return not failure

    def size(self, title, path, params, key, target=None):
        timings, size = [], 0
        for _run in range(5):
            status, payload, seconds = call(self.port, "POST", path, rpc(params))
            failure = problem(status, payload, key)
            if failure:
                self.verdict(target is None)
                self.lines.append(f"{title}: not measured, {failure}")
                return None
            timings.append(seconds * 1000)
            size = len(payload)
        answer = json.loads(payload)["result"]
        count = len(answer["days"]) if key == "days" else len(answer["slots"])
        unit = "days" if key == "days" else "slots"
        line = (
            f"{title:<40} {size / 1000:8.1f} KB ({count} {unit},"
            f" one request {statistics.median(timings):.0f} ms)"
        )
        if target is not None:
            line += f"   target < {target / 1000:.0f} KB  {self.verdict(size < target)}"
        self.lines.append(line)
        return size


def run(args, dbname, data_dir):
    logfile = os.path.join(data_dir, "bench_website.log")
    sizes = website_data.describe(dbname)
    ((service_id, slug),) = query(
        dbname,
        "SELECT id, slug FROM smartbook_service WHERE name->>'en_US' = %s",
        [website_data.BENCH_SERVICE],
    )
    specialists = [
        row[0]
        for row in query(
            dbname,
            "SELECT employee_id FROM smartbook_service_hr_employee_rel"
            " WHERE service_id = %s ORDER BY employee_id",
            [service_id],
        )
    ]
    today = datetime.now(ZoneInfo(website_data.TZ)).date()

    def slots_request(employee=False):
        def make(index):
            day = today + timedelta(days=1 + index % 14)
            params = {
                "service_id": service_id,
                "date_from": day.isoformat(),
                "date_to": (day + timedelta(days=7)).isoformat(),
                "tz": website_data.TZ,
            }
            if employee:
                params["employee_id"] = specialists[index % len(specialists)]
            return "POST", "/smartbook/slots", rpc(params), "slots"

        return make

    print(f"starting Odoo (2 workers) on port {args.port}...", flush=True)
    started_load = os.getloadavg()
    server = start_server(dbname, data_dir, args.port, args.gevent_port, logfile)
    bench = Bench(args.port, logfile, args.clients, args.requests, server.pid, dbname)
    try:
        probe = rpc({"service_id": service_id, "date_from": str(today + timedelta(days=1)),
                     "date_to": str(today + timedelta(days=8)), "tz": website_data.TZ})  # fmt: skip
        print(f"measuring: {args.clients} concurrent clients, {args.requests} requests a figure", flush=True)
        if bench.available("POST", "/smartbook/slots", probe, "slots"):
            for title, by_one in (("any specialist", False), ("one specialist", True)):
                bench.scenario(
                    f"slots, 7 days, {title}", slots_request(by_one), SLOTS_P95_MS, "/smartbook/slots"
                )
        else:
            bench.verdict(False)
        for path in ("/book", f"/book/service/{slug}"):
            if bench.available("GET", path):
                bench.scenario(
                    f"GET {path}", lambda _index, path=path: ("GET", path, None, None), PAGE_P95_MS, path
                )
            elif path == "/book":
                bench.verdict(False)
        # For scale: Odoo's own home page, the same website layout, no SmartBook code.
        bench.scenario(
            "(reference: GET /, the home page)", lambda _index: ("GET", "/", None, None), None, "/"
        )
        month = {
            "service_id": service_id,
            "date_from": str(today),
            "date_to": str(today + timedelta(days=31)),
            "tz": website_data.TZ,
        }
        bench.size("availability, 31 days, any specialist", "/smartbook/availability", month, "days",
                   MONTH_MAX_BYTES)  # fmt: skip
        bench.size("(slots, 31 days, any specialist)", "/smartbook/slots", month, "slots")
    finally:
        stop_server(server)
    print()
    print(
        f"data: {sizes['bookings']:,} bookings ({sizes['upcoming confirmed']:,} upcoming confirmed,"
        f" {sizes['next 31 days']:,} active in the next 31 days), {sizes['specialists']} specialists"
        f" ({sizes['performing the service']} perform {website_data.BENCH_SERVICE!r}),"
        f" {sizes['clients']:,} clients"
    )
    print(
        f"machine: {os.cpu_count()} CPUs, load average {started_load[0]:.1f} before and"
        f" {os.getloadavg()[0]:.1f} after the run (the client threads run on the same machine)"
    )
    print()
    for line in bench.lines:
        print(line)
    return not bench.failed


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("-d", "--database", default="smartbook_bench_website")
    parser.add_argument("--data-dir", help="default /tmp/<database>_data")
    parser.add_argument("--port", type=int, help="HTTP port (default: a free one)")
    parser.add_argument("--gevent-port", type=int, help="gevent port (default: a free one)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20)")
    parser.add_argument("--requests", type=int, default=400, help="requests per figure (default 400)")
    parser.add_argument("--reuse", action="store_true", help="use the database of an earlier run if complete")
    parser.add_argument("--keep", action="store_true", help="keep the database (and its data dir) at the end")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    args.port = args.port or free_port()
    args.gevent_port = args.gevent_port or free_port()
    os.environ["TZ"] = "UTC"
    dbname = args.database
    data_dir = args.data_dir or f"/tmp/{dbname}_data"
    if not (args.reuse and website_data.is_ready(dbname)):
        shutil.rmtree(data_dir, ignore_errors=True)
        # In a child process: the parent must not keep an Odoo registry (and its
        # connections) open on the database it drops at the end.
        result = subprocess.run(
            [sys.executable, "-c", "import sys; from bench import website_data;"
             " website_data.create_database(sys.argv[1], sys.argv[2], int(sys.argv[3]))",
             dbname, data_dir, str(args.seed)],
            cwd=ROOT, env=command_env(), check=False,
        )  # fmt: skip
        if result.returncode:
            if not args.keep:
                drop_database(dbname)
            sys.exit("making the benchmark database failed")
    else:
        print(f"reusing {dbname}", flush=True)
        website_data.update_if_code_changed(dbname, data_dir)
        website_data.vacuum(dbname)
    try:
        ok = run(args, dbname, data_dir)
    finally:
        if not args.keep:
            drop_database(dbname)
            shutil.rmtree(data_dir, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""The analytics dashboard under load: 50 leaders reading their dashboards at once.

Issue 7's target: a dashboard page answers in under 200 ms at the 95th
percentile with 50 concurrent users. A view timed alone says little about
that, so this drives the real production stack (gunicorn, DEBUG off) over
HTTP from 50 threads, each its own signed-in browser session, in a closed
loop with a reader's think time between pages.

What it does, in order, printing each step with its time:

1. ``helhed init`` and ``helhed demo --inhabitants N`` in a temporary
   ``HELHED_VAR_DIR`` (every other ``HELHED_*`` variable removed), so the
   developer's database is never touched.
2. gunicorn on a free localhost port: ``--workers`` processes x ``--threads``
   threads (gthread), keep-alive longer than the longest think time.
3. Signs in ``--users`` sessions spread over the demo logins, and reads each
   login's dashboard to find its unit and a unit beneath it.
4. Warm-up: every distinct (login, URL) ``WARM_PER_WORKER`` times per worker,
   each on a fresh connection. The plots are cached per gunicorn process
   (Django's default local-memory cache), and which process takes a
   connection is the kernel's choice, so one request per URL would warm only
   one of them.
5. The timed window: each user requests one of its URLs (its dashboard, by
   sex, by two age bands, a unit beneath), reads it, thinks for a time drawn
   uniformly from ``--think``, and again, for ``--seconds``.
6. The baseline, same run, same users, same units, same think times: the
   results app's unit page (``/results/units/<id>/``), warmed the same way.

Every latency is recorded (from sending the request to the last byte of the
body); a status other than 200 or a failed request is an error, and there
must be none. The load generator runs on the same machine and takes a little
of its CPU. Latencies depend on what else the machine runs, so each run also
prints gunicorn's CPU time per request and how busy the whole machine was.
gunicorn is stopped and the temporary directory removed at the end, also on
Ctrl-C, SIGTERM or an error.

    .venv/bin/python benchmarks/dashboard_load.py [--users 50] [--seconds 60] [--think 1-3]
        [--inhabitants 60000] [--workers 2] [--threads 4] [--nice 0]
"""

from __future__ import annotations

import argparse
import contextlib
import html
import http.client
import math
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

HOST = "127.0.0.1"
LOGINS = ("direktor", "chef", "skoleleder", "analytiker", "politiker")
PASSWORD = "demo"  # noqa: S105 - the published demo password
GROUPS = ("sex:F", "sex:M", "age:6-11", "age:12-17")
WORKERS = 2  # one per core on the 2-core machine the target was set on
THREADS = 4  # a thread waiting on SQLite or the socket lets another use the core
WARM_PER_WORKER = 4
KEEP_ALIVE = 10  # seconds; longer than the longest think time, as a browser keeps it
TIMEOUT = 60.0  # seconds a request may take before it counts as failed
TARGET_MS = 200.0
BIN = Path(sys.executable).parent


def say(text: str) -> None:
    print(text, flush=True)


@contextlib.contextmanager
def step(text: str) -> Iterator[None]:
    say(f"{text} ...")
    started = time.perf_counter()
    yield
    say(f"  done in {time.perf_counter() - started:.1f} s")


# ---------------------------------------------------------------------------- the demo


def environment(var_dir: Path) -> dict[str, str]:
    """The environment of every child: only the temporary var dir among Helhed's variables.

    A developer's own HELHED_DATABASE_URL or HELHED_ENV_FILE must not leak in,
    or the demo would be written into their database.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("HELHED_")}
    env["HELHED_VAR_DIR"] = str(var_dir)
    env["DJANGO_SETTINGS_MODULE"] = "helhed.settings"
    return env


def make_demo(env: dict[str, str], inhabitants: int) -> None:
    with step(f"helhed init in {env['HELHED_VAR_DIR']}"):
        subprocess.run(  # noqa: S603 - our own venv's command, fixed arguments
            [BIN / "helhed", "init"], env=env, check=True, capture_output=True
        )
    with step(f"helhed demo --inhabitants {inhabitants} (migrate, generate, compute analytics)"):
        done = subprocess.run(  # noqa: S603 - our own venv's command, fixed arguments
            [BIN / "helhed", "demo", "--inhabitants", str(inhabitants)],
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"helhed demo failed ({done.returncode}):\n{done.stderr[-3000:]}")
        for line in done.stdout.splitlines():
            if line.startswith("Generated") or "cells" in line:
                say(f"  {line}")


# ---------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_gunicorn(
    env: dict[str, str], var_dir: Path, port: int, args: argparse.Namespace
) -> subprocess.Popen[bytes]:
    """gunicorn as in production, but plain HTTP on localhost (no TLS proxy in front)."""
    server_env = env | {"HELHED_DEBUG": "0", "HELHED_HTTPS": "0"}
    command = [
        str(BIN / "gunicorn"),
        "helhed.wsgi",
        f"--bind={HOST}:{port}",
        "--worker-class=gthread",
        f"--workers={args.workers}",
        f"--threads={args.threads}",
        f"--keep-alive={KEEP_ALIVE}",
        "--no-control-socket",
        f"--error-logfile={var_dir / 'gunicorn.log'}",
    ]
    say(f"Starting {' '.join(command[1:])}")
    # Its own process group: Ctrl-C reaches only this script, which stops it in order.
    return subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        command, env=server_env, cwd=var_dir, start_new_session=True
    )


def wait_until_up(server: subprocess.Popen[bytes], port: int, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}; see gunicorn.log")
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer within {within:.0f} s")


def stop_gunicorn(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.send_signal(signal.SIGTERM)  # a graceful stop of the master and its workers
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# ---------------------------------------------------------------------------- a browser


class Session:
    """One signed-in browser: its cookies and one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _send(self, method: str, path: str, body: str | None) -> tuple[int, str, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(header)
            self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        return response.status, response.getheader("Location", ""), data

    def request(self, path: str, method: str = "GET", body: str | None = None) -> Response:
        """Send and read the whole body; a connection the server closed meanwhile is reopened.

        A browser does the same when a kept-alive connection went stale, so the
        retry is part of the latency, and is counted.
        """
        started = time.perf_counter()
        reused = self.conn is not None and self.conn.sock is not None
        try:
            status, location, data = self._send(method, path, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            if not reused:
                raise
            self.reconnects += 1
            status, location, data = self._send(method, path, body)
        return Response(status, location, data, time.perf_counter() - started)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Response:
    status: int
    location: str
    body: bytes
    seconds: float


def sign_in(port: int, username: str) -> Session:
    session = Session(port)
    page = session.request("/login/")
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or found is None:
        raise RuntimeError(f"/login/ gave {page.status} without a CSRF token")
    form = {"csrfmiddlewaretoken": found.group(1).decode(), "username": username}
    done = session.request("/login/", "POST", urllib.parse.urlencode(form | {"password": PASSWORD}))
    if done.status != 302 or "/login/" in done.location:
        raise RuntimeError(f"signing in as {username} gave {done.status} {done.location}")
    return session


# ---------------------------------------------------------------------------- what to read


@dataclass
class Reading:
    """A login's pages: (dashboard URL, results unit page of the same unit) pairs."""

    username: str
    pages: list[tuple[str, str]]


def unit_path(unit: int) -> str:
    return f"/results/units/{unit}/"


def discover(session: Session, username: str) -> Reading:
    """The login's default unit and the first unit beneath it, as its dashboard shows them."""
    page = session.request("/analytics/")
    if page.status != 200:
        raise RuntimeError(f"/analytics/ as {username} gave {page.status}")
    if b'data-testid="never-computed"' in page.body:
        raise RuntimeError("the dashboard says no values are computed yet")
    selected = re.search(rb'<option value="(\d+)" selected>', page.body)
    if selected is None:
        raise RuntimeError(f"no unit selected on the dashboard of {username}")
    unit = int(selected.group(1))
    pages = [("/analytics/", unit_path(unit))]
    pages += [(f"/analytics/?unit={unit}&group={group}", unit_path(unit)) for group in GROUPS]
    # The comparison links to each unit beneath several times; an ancestor appears once.
    links = Counter(
        html.unescape(match.decode())
        for match in re.findall(rb'href="(/analytics/\?unit=\d+&amp;group=all[^"]*)"', page.body)
    )
    beneath = [link for link, count in links.items() if count > 1 and f"unit={unit}&" not in link]
    if beneath:
        child = int(re.findall(r"unit=(\d+)", beneath[0])[0])
        pages.append((beneath[0], unit_path(child)))
    return Reading(username, pages)


# ---------------------------------------------------------------------------- the load


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    seconds: float = 0.0
    cpu: Cpu | None = None

    @property
    def errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != "200")


@dataclass
class Cpu:
    """CPU seconds spent while the load ran: the fair figure on a machine shared with others."""

    server: float
    client: float
    machine_busy: float  # seconds, all CPUs together, this process and others included
    machine_total: float

    @classmethod
    def now(cls, server_pid: int) -> Cpu:
        ticks = os.sysconf("SC_CLK_TCK")
        server = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError):
                pid, _name, rest = _split_stat(stat.read_text())
                fields = rest.split()
                if pid == server_pid or int(fields[1]) == server_pid:  # ppid: a worker
                    server += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        first = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
        jiffies = [int(value) for value in first[:8]]  # user nice system idle iowait irq ...
        total = sum(jiffies) / ticks
        idle = (jiffies[3] + jiffies[4]) / ticks
        return cls(server, time.process_time(), total - idle, total)

    def __sub__(self, before: Cpu) -> Cpu:
        return Cpu(
            self.server - before.server,
            self.client - before.client,
            self.machine_busy - before.machine_busy,
            self.machine_total - before.machine_total,
        )


def _split_stat(text: str) -> tuple[int, str, str]:
    """``/proc/PID/stat``: the command name is in parentheses and may hold spaces."""
    pid, _sep, rest = text.partition(" (")
    name, _sep, fields = rest.rpartition(") ")
    return int(pid), name, fields


def warm(pages: dict[tuple[str, str], Session], port: int, repeats: int, threads: int) -> Tally:
    """Every ``(login, path)`` ``repeats`` times, each on a fresh connection (a new socket).

    The cookies are those of a session signed in as the login.
    """
    tally = Tally()
    lock = threading.Lock()

    def one(path: str, signed_in: Session) -> None:
        session = Session(port)
        session.cookies = dict(signed_in.cookies)
        response = session.request(path)
        session.close()
        with lock:
            tally.latencies.append(response.seconds)
            tally.statuses[str(response.status)] += 1

    started = time.perf_counter()
    jobs = [(path, session) for (_login, path), session in pages.items() for _ in range(repeats)]
    random.Random(0).shuffle(jobs)
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda job: one(*job), jobs))
    tally.seconds = time.perf_counter() - started
    return tally


def load(users: Sequence[User], seconds: float, think: tuple[float, float]) -> Tally:
    """Each user in its own thread: read a page, think, read another, until the time is up."""
    tally = Tally()
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    deadline = start + seconds

    def user(index: int, session: Session, paths: list[str]) -> None:
        rng = random.Random(index)
        # Arrive spread over one think time, not all in the same millisecond.
        time.sleep(max(0.0, start - time.perf_counter()) + rng.uniform(0, think[1]))
        while time.perf_counter() < deadline:
            path = rng.choice(paths)
            try:
                response = session.request(path)
                status = str(response.status)
                seconds = response.seconds
            except (OSError, http.client.HTTPException) as exc:
                session.close()
                status, seconds = type(exc).__name__, TIMEOUT
            with lock:
                tally.latencies.append(seconds)
                tally.statuses[status] += 1
            time.sleep(max(0.0, min(rng.uniform(*think), deadline - time.perf_counter())))

    threads = [
        threading.Thread(target=user, args=(index, each.session, each.paths), daemon=True)
        for index, each in enumerate(users)
    ]
    before = sum(each.session.reconnects for each in users)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    tally.seconds = time.perf_counter() - start
    tally.reconnects = sum(each.session.reconnects for each in users) - before
    return tally


# ---------------------------------------------------------------------------- the figures


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    return sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)]


def report(name: str, tally: Tally) -> float:
    """Print the figures of one run; return its p95 in milliseconds."""
    values = sorted(tally.latencies)
    if not values:
        raise RuntimeError(f"{name}: no request was made")
    ms = [value * 1000 for value in values]
    p95 = percentile(ms, 0.95)
    say(
        f"  {name}: {len(values)} requests in {tally.seconds:.1f} s "
        f"= {len(values) / tally.seconds:.1f} requests/s; "
        f"p50 {percentile(ms, 0.50):.0f} ms, p95 {p95:.0f} ms, "
        f"p99 {percentile(ms, 0.99):.0f} ms, max {ms[-1]:.0f} ms; "
        f"errors {tally.errors} {dict(tally.statuses)}; stale keep-alive reopened "
        f"{tally.reconnects}"
    )
    if tally.cpu is not None:
        cpu, cpus = tally.cpu, os.cpu_count() or 1
        say(
            f"    CPU: gunicorn {cpu.server:.1f} s = {cpu.server / len(values) * 1000:.0f} ms "
            f"per request; load generator {cpu.client:.2f} s; whole machine busy "
            f"{cpu.machine_busy / cpu.machine_total * 100:.0f}% of {cpus} CPUs "
            f"(gunicorn {cpu.server / cpu.machine_total * 100:.0f}%, the rest the load "
            "generator and other work)"
        )
    return p95


def ratio(value: float) -> str:
    """One decimal, or two significant digits below 1 so that a small ratio is not 0.0."""
    return f"{value:.1f}" if value >= 0.95 else f"{value:.2g}"


def parse_think(text: str) -> tuple[float, float]:
    low, _sep, high = text.partition("-")
    pair = (float(low), float(high or low))
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError("--think is LOW-HIGH seconds, LOW <= HIGH")
    return pair


@dataclass
class User:
    """A virtual user: a login, its own signed-in session, and the pages it reads."""

    username: str
    session: Session
    paths: list[str]


def measure(
    name: str,
    users: list[User],
    server: subprocess.Popen[bytes],
    port: int,
    args: argparse.Namespace,
) -> Tally:
    """Warm the caches with every distinct URL, then time ``users`` reading ``paths``."""
    # By login too: the bare /analytics/ shows each login its own unit.
    pages: dict[tuple[str, str], Session] = {}
    for user in users:
        for path in user.paths:
            pages.setdefault((user.username, path), user.session)
    repeats = WARM_PER_WORKER * args.workers
    with step(
        f"{name}: warm-up, {len(pages)} distinct (login, URL) pairs x {repeats} (fills the caches)"
    ):
        warmed = warm(pages, port, repeats, args.workers * args.threads)
        slow = sum(1 for value in warmed.latencies if value > 1.0)
        say(f"  {slow} of {len(warmed.latencies)} warm-up requests took over 1 s")
        if warmed.errors:
            raise RuntimeError(f"warm-up errors: {dict(warmed.statuses)}")
    with step(
        f"{name}: {len(users)} users for {args.seconds:g} s, "
        f"think {args.think[0]:g}-{args.think[1]:g} s"
    ):
        for user in users:  # each user opens its connection with its first page
            user.session.close()
        before = Cpu.now(server.pid)
        tally = load(users, args.seconds, args.think)
        tally.cpu = Cpu.now(server.pid) - before
        return tally


def memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def run(args: argparse.Namespace, var_dir: Path) -> None:
    load_average = " ".join(f"{value:.1f}" for value in os.getloadavg())
    say(f"Machine: {os.cpu_count()} CPUs, {memory_gib():.1f} GiB, load average {load_average}")
    env = environment(var_dir)
    make_demo(env, args.inhabitants)
    if args.nice:
        # Threads started from here on, and gunicorn, inherit it.
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)
        say(f"Niceness {os.getpriority(os.PRIO_PROCESS, 0)} for gunicorn and the load generator")
    port = free_port()
    server = start_gunicorn(env, var_dir, port, args)
    try:
        with step(f"Waiting for gunicorn on {HOST}:{port}"):
            wait_until_up(server, port)
        names = [LOGINS[index % len(LOGINS)] for index in range(args.users)]
        with (
            step(f"Signing in {args.users} sessions as {', '.join(sorted(set(names)))}"),
            ThreadPoolExecutor(args.workers * args.threads) as pool,
        ):
            sessions = list(pool.map(lambda name: sign_in(port, name), names))
        readings: dict[str, Reading] = {}
        for name, session in zip(names, sessions, strict=True):
            if name not in readings:
                readings[name] = discover(session, name)
                say(f"  {name}: {', '.join(page for page, _unit in readings[name].pages)}")
        dashboards = [
            User(name, session, [page for page, _unit in readings[name].pages])
            for name, session in zip(names, sessions, strict=True)
        ]
        results = [
            User(name, session, [unit for _page, unit in readings[name].pages])
            for name, session in zip(names, sessions, strict=True)
        ]
        dashboard = measure("dashboard", dashboards, server, port, args)
        baseline = measure("results page", results, server, port, args)
        say("Figures (latency from sending the request to the last byte of the body):")
        p95 = report("dashboard   ", dashboard)
        base = report("results page", baseline)
        if dashboard.errors or baseline.errors:
            say("  ERRORS: every response must be a 200")
        say(
            f"dashboard: p95 {p95:.0f} ms at {args.users} users (target {TARGET_MS:.0f} ms), "
            f"results page p95 {base:.0f} ms, ratio {ratio(p95 / base)}x"
        )
    finally:
        with step("Stopping gunicorn"):
            stop_gunicorn(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--think", type=parse_think, default=(1.0, 3.0), help="LOW-HIGH seconds (1-3)"
    )
    parser.add_argument("--inhabitants", type=int, default=60_000, help="the demo's size")
    parser.add_argument("--workers", type=int, default=WORKERS, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=THREADS, help="threads per process")
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="niceness of gunicorn and the load generator after the demo is made; a negative "
        "value (root only) puts them before other work on a shared machine",
    )
    args = parser.parse_args()
    if min(args.users, args.workers, args.threads) < 1 or args.seconds <= 0:
        parser.error("--users, --seconds, --workers and --threads must be positive")
    var_dir = Path(tempfile.mkdtemp(prefix="helhed-dashboard-load-"))
    # A plain kill stops gunicorn and removes the directory too (``finally`` below).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    try:
        run(args, var_dir)
    except KeyboardInterrupt:
        say("Interrupted.")
        return 130
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
        say(f"Removed {var_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Serve the site with gunicorn on loopback and drive a bounded load against it.

The load comes from ``wrk`` (Debian's package) when it is installed: written in C, it does not
compete with the workers for the GIL and measures latency well. Otherwise a small Python load
generator (one thread per connection, keep-alive, fixed duration) does the same job, less
precisely at high rates. Both are bounded by a duration and a number of connections.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def production_env(port: int, **extra: str) -> dict[str, str]:
    """The environment of a production-like gunicorn on loopback (plain HTTP)."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY="bench-only-secret-key-not-for-production-0123456789abcdefghijklmnop",
        ALLOWED_HOSTS=HOST,
        SITE_URL=f"http://{HOST}:{port}",
        PLAIN_STATICFILES="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        SECURE_HSTS_SECONDS="0",
        WEB_CONCURRENCY="2",
        GUNICORN_BIND=f"{HOST}:{port}",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="ptce_site.settings",
    )
    env.update(extra)
    return env


class Gunicorn:
    """gunicorn -c ptce_site/gunicorn.conf.py as a child process, stopped on exit."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.log = tempfile.NamedTemporaryFile(prefix="ptce-gunicorn-", suffix=".log", delete=False)
        self.process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> Gunicorn:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [str(gunicorn), "-c", str(BASE_DIR / "ptce_site" / "gunicorn.conf.py")],
            cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped at start:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200 and len(self.worker_pids()) >= 2:
                        return self
            time.sleep(0.3)
        tail = self.log_tail()
        self.__exit__(RuntimeError)
        raise RuntimeError(f"gunicorn did not answer within 30 s:\n{tail}")

    def __exit__(self, exc_type=None, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        if exc_type is None:
            os.unlink(self.log.name)
        else:
            print(f"Journal de gunicorn : {self.log.name}", file=sys.stderr)

    def log_tail(self, lines: int = 30) -> str:
        self.log.flush()
        return "\n".join(Path(self.log.name).read_text(errors="replace").splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        with contextlib.suppress(OSError):
            return [int(child) for child in children.read_text().split()]
        return []


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of a process in MB, from /proc."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                name, number, _unit = line.split()
                values[name] = int(number) / 1024
    return values.get("VmRSS:", 0.0), values.get("VmHWM:", 0.0)


class MemoryWatch:
    """Samples the workers' resident memory every half second; keeps each worker's peak."""

    def __init__(self, server: Gunicorn):
        self.server = server
        self.peaks: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.server.worker_pids():
                _current, peak = rss_mb(pid)
                self.peaks[pid] = max(self.peaks.get(pid, 0.0), peak)
            self._stop.wait(0.5)

    def __enter__(self) -> MemoryWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class Result:
    url: str
    requests: int = 0
    seconds: float = 0.0
    errors: int = 0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# wrk ------------------------------------------------------------------------------------

WRK_RANDOM_PARAM = """
counter = 0
request = function()
  counter = counter + 1
  local sep = string.find(wrk.path, "?", 1, true) and "&" or "?"
  return wrk.format(nil, wrk.path .. sep .. "nocache=" .. math.random(1, 1000000000) .. counter)
end
"""


def _duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def run_wrk(url: str, *, seconds: int, connections: int, uncached: bool = False) -> Result:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
               "-H", "Accept-Encoding: gzip"]  # as browsers do
    script = None
    if uncached:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        script.write(WRK_RANDOM_PARAM)
        script.close()
        command += ["-s", script.name]
    try:
        output = subprocess.run(
            command + [url], capture_output=True, text=True, timeout=seconds + 30, check=True
        ).stdout
    finally:
        if script:
            os.unlink(script.name)
    result = Result(url=url, seconds=float(seconds))
    result.requests = int(re.search(r"(\d+) requests in", output).group(1))
    result.seconds = _duration_ms(re.search(r"requests in ([\d.]+\w+),", output).group(1)) / 1000
    result.p50_ms = _duration_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))
    result.p99_ms = _duration_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        result.errors += int(match.group(1))
    if match := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        result.errors += sum(int(number) for number in match.groups())
    return result


# Python ---------------------------------------------------------------------------------


def run_python(
    url: str, *, seconds: float, connections: int, uncached: bool = False,
    uncached_parameter: str = "nocache", record=None,
) -> Result:
    """Closed-loop load: ``connections`` threads, each sending requests back to back; with
    ``uncached``, each adds ``uncached_parameter`` with a new value (the page cache drops a
    parameter its page does not read); ``record(started, ended, status, body)`` after each."""
    host, port_path = url.split("://", 1)[1].split(":", 1)
    port, path = port_path.split("/", 1)
    path = "/" + path
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(number: int) -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=5)
        count = 0
        while time.monotonic() < deadline:
            count += 1
            target = path
            if uncached:
                target += ("&" if "?" in path else "?") + f"{uncached_parameter}={number}-{count}"
            started = time.monotonic()
            try:
                connection.request("GET", target, headers={"Accept-Encoding": "gzip"})
                response = connection.getresponse()
                body = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=5)
                status, body = 0, b""
            elapsed = time.monotonic() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if not 200 <= status < 400:
                    errors[0] += 1
            if record is not None:
                record(started, started + elapsed, status, body)
            if status == 0:
                time.sleep(0.05)
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = Result(url=url, seconds=time.monotonic() - started, statuses=statuses)
    result.requests = len(latencies)
    result.errors = errors[0]
    if latencies:
        ordered = sorted(latencies)
        result.p50_ms = statistics.median(ordered) * 1000
        result.p99_ms = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return result


def run_load(url: str, *, seconds: int, connections: int, uncached: bool = False) -> Result:
    if shutil.which("wrk"):
        return run_wrk(url, seconds=seconds, connections=connections, uncached=uncached)
    return run_python(url, seconds=seconds, connections=connections, uncached=uncached)


def timed_get(url: str, *, gzip: bool = False) -> tuple[int, float, int]:
    """(status, milliseconds, bytes) of one request; ``gzip``: asking for gzip as browsers and
    the load do (the page cache keeps a copy for each)."""
    status, ms, size, _cache = _get(url, gzip=gzip)
    return status, ms, size


def fill(url: str, *, gzip: bool = True, seconds: float = 10) -> None:
    """Ask for ``url`` until the page cache serves it as stored: after a change, the first
    request of a page that has a last copy gets that copy while a thread of one worker builds
    the new page (ptce_site/cache_flight.py); a load started meanwhile would measure that
    build, and the worker busy with it would leave its share of the connections to the other."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _get(url, gzip=gzip)[3] in {"hit", None}:  # None: not a cached page
            return
        time.sleep(0.05)


def _get(url: str, *, gzip: bool) -> tuple[int, float, int, str | None]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
        status = response.status
        cache_state = response.headers.get("X-Page-Cache")
    return status, (time.perf_counter() - started) * 1000, len(body), cache_state

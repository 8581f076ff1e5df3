"""Starting and stopping the servers under test: Broadsheet, nginx and the raw ASGI app."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

NGINX_CONFIG = """\
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    # wrk keeps its connections open; uvicorn never closes them either.
    keepalive_requests 1000000;
    client_body_temp_path {root}/client_body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    types {{ text/html html; }}
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
    }}
}}
"""


def wait_until_answering(url: str, process: subprocess.Popen[bytes], *, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args!r} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def running(
    command: list[str],
    *,
    ready_url: str,
    log: Path,
    env: Mapping[str, str] | None = None,
    cwd: Path = REPO,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends; it counts as started once `ready_url` answers."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 (commands built here, from fixed parts)
            command,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until_answering(ready_url, process, seconds=60)
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL to the process group it leads if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces; the parent id follows it.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            found.append(int(entry.name))
    return sorted(found)


def worker_pids(server_pid: int) -> list[int]:
    """uvicorn's worker processes under its supervisor (not multiprocessing's helpers)."""
    workers = []
    for pid in children(server_pid):
        try:
            command_line = (Path("/proc") / str(pid) / "cmdline").read_bytes()
        except OSError:
            continue
        if b"resource_tracker" not in command_line:
            workers.append(pid)
    return workers


def rss_bytes(pid: int) -> int:
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def broadsheet_command(port: int, *, workers: int) -> list[str]:
    return [str(BIN / "broadsheet"), "serve", "--port", str(port), "--workers", str(workers)]


def raw_asgi_command(port: int, *, workers: int) -> list[str]:
    """The raw ASGI app under the same server, options and worker count as Broadsheet."""
    return [
        str(BIN / "uvicorn"),
        "bench.raw_asgi:app",
        "--port", str(port),
        "--workers", str(workers),
        "--http", "httptools",
        "--loop", "uvloop",
        "--no-access-log",
        "--no-server-header",
    ]  # fmt: skip


def nginx_command(root: Path, *, port: int, workers: int, payload: bytes) -> list[str]:
    """Write nginx's configuration and the static file under `root`; return the command."""
    root.chmod(0o755)  # nginx's workers run as nobody when started by root
    (root / "www").mkdir(mode=0o755, exist_ok=True)
    (root / "www" / "story.html").write_bytes(payload)
    (root / "www" / "story.html").chmod(0o644)
    config = root / "nginx.conf"
    config.write_text(NGINX_CONFIG.format(root=root, port=port, workers=workers))
    return ["nginx", "-p", str(root), "-e", str(root / "error.log"), "-c", str(config),
            "-g", "daemon off;"]  # fmt: skip

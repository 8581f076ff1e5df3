"""The drills' own PostgreSQL, Redis and `broadsheet serve`, on ports of their own, in a scratch
folder: the machine's shared servers are never touched."""

import glob
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

BROADSHEET = Path(sys.executable).with_name("broadsheet")


def _postgres_bin(tool: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{tool}"))
    if not found:
        raise SystemExit(f"drills need PostgreSQL's {tool} (Debian: apt-get install postgresql)")
    return found[-1]


class PrivatePostgres:
    """A throwaway cluster: initdb into the scratch folder, run as `postgres` when we are root
    (initdb refuses root)."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder / "postgres"
        self.port = port
        self.data = self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/broadsheet"

    def _as_owner(self, *command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *command]
        return list(command)

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            self._as_owner(_postgres_bin("pg_ctl"), "-D", str(self.data), *arguments),
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def create(self) -> None:
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        subprocess.run(
            self._as_owner(
                _postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres"
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.start()
        self.psql("CREATE DATABASE broadsheet")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._pg_ctl("-o", options, "-l", str(self.folder / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")

    def psql(self, sql: str, database: str = "postgres") -> str:
        result = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-AtXq",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + f"/{name}"


class PrivateRedis:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            )
            if ping.stdout.strip() == b"PONG":
                return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Server:
    """`broadsheet serve --workers 2`, its log (JSON lines) kept in the scratch folder."""

    def __init__(self, folder: Path, port: int, env: dict[str, str], graceful_timeout: int = 10):
        self.folder = folder
        self.port = port
        self.env = env
        self.graceful_timeout = graceful_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = folder / "serve.log"

    def run(self, *command: str) -> str:
        result = subprocess.run(
            [str(BROADSHEET), *command],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"broadsheet {' '.join(command)} failed: {result.stderr}")
        return result.stdout

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                str(BROADSHEET),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                "2",
                "--graceful-timeout",
                str(self.graceful_timeout),
            ],
            cwd=self.folder,
            env=self.env,
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/readyz", timeout=2).is_success:
                    # Both workers, not just the first one up.
                    while self.startups() < 2 and time.monotonic() < deadline:
                        time.sleep(0.1)
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(
            f"broadsheet serve did not become ready:\n{self.log_path.read_text()[-3000:]}"
        )

    def workers(self) -> list[int]:
        """Process ids of the worker processes."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            pids = [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []
        # multiprocessing's resource tracker is a child too; workers are the ones serving.
        return [pid for pid in pids if "resource_tracker" not in _command_line(pid)]

    def startups(self) -> int:
        """How many workers have finished starting, by the log."""
        return self.log_path.read_text().count("Application startup complete")

    def terminate(self) -> float:
        """SIGTERM; answers the seconds until the server exited."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=self.graceful_timeout + 20)
        self.process = None
        return time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.terminate()


def start_worker(folder: Path, env: dict[str, str], name: str) -> subprocess.Popen[bytes]:
    """`broadsheet worker`, its log kept in the scratch folder as `name`.log."""
    log = (folder / f"{name}.log").open("wb")
    return subprocess.Popen(
        [str(BROADSHEET), "worker"], cwd=folder, env=env, stdout=log, stderr=log
    )


class HeldLock:
    """A psql session that holds ACCESS EXCLUSIVE on `table` until released: whatever touches
    the table waits, so a job can be caught in the middle of its work."""

    def __init__(self, postgres: PrivatePostgres, table: str, database: str) -> None:
        self.session = subprocess.Popen(
            [
                *("psql", "-h", "127.0.0.1", "-p", str(postgres.port), "-U", "postgres"),
                *("-d", database, "-AtXq", "-v", "ON_ERROR_STOP=1"),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._say(f"BEGIN; LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE; SELECT 'locked';")

    def _say(self, sql: str) -> None:
        assert self.session.stdin is not None
        assert self.session.stdout is not None
        self.session.stdin.write(sql + "\n")
        self.session.stdin.flush()
        if "SELECT 'locked'" in sql:
            assert self.session.stdout.readline().strip() == "locked"

    def release(self) -> None:
        self._say("ROLLBACK;")
        assert self.session.stdin is not None
        self.session.stdin.close()
        self.session.wait(timeout=10)


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def rss_mib(pids: list[int]) -> float:
    """Resident memory of these processes, in MiB."""
    total_kib = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kib += int(line.split()[1])
        except OSError:
            continue
    return total_kib / 1024


def established_connections(pid: int, port: int) -> int:
    """TCP connections to `port` that the process holds open."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01" and fields[9] in inodes:
                count += 1
    return count

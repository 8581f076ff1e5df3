"""Profile Broadsheet's workers with py-spy while wrk loads one scenario; print where time goes.

    python -m bench.profile d [--engine postgresql] [--size small] [--duration 10]

Needs py-spy (`pip install py-spy`). Writes each worker's stacks in the collapsed format that
flamegraph.pl and speedscope read, to bench/var/profile-<scenario>-<engine>/<pid>.txt, then prints
the frames that take the most samples, counted where the CPU was (self) and including what they
call (inclusive).
"""

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import servers
from bench.databases import VAR, database_url, story_addresses
from bench.generate import SIZES
from bench.load import Load, prime, scenarios, wrk
from bench.run import broadsheet_env

SHOWN = 25
# Threads waiting for work, for the GIL or for the supervisor's pings, and the event loop
# waiting for sockets: not CPU.
IDLE = re.compile(
    r"pthread_cond_(timed)?wait|PyThread_acquire_lock_timed|epoll_p?wait|Condition\.wait \("
    r"|Process\.always_pong"
)


def _record(pid: int, output: Path, *, seconds: int, native: bool) -> subprocess.Popen[bytes]:
    # Native frames need the process paused for each sample; Python frames alone do not.
    mode = ["--native"] if native else ["--nonblocking"]
    command = [
        "py-spy", "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "250",
        *mode, "--format", "raw", "--output", str(output),
    ]  # fmt: skip
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603


def summarise(stack_files: list[Path]) -> str:
    """Top frames by self and inclusive samples, as shares of the samples that were not idle."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = in_requests = 0
    for path in stack_files:
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit() or IDLE.search(stack):
                continue  # idle, or the tail of a frame name that held a line break
            frames = stack.split(";")
            samples = int(count)
            total += samples
            if any("run_asgi" in frame for frame in frames):
                in_requests += samples
            own[frames[-1]] += samples
            found = re.search(r"\(([^/:]+)", frames[-1])
            packages[found.group(1) if found else frames[-1]] += samples
            for frame in set(frames):
                inclusive[frame] += samples
    lines = [
        f"{total} busy samples, {100 * in_requests / total:.0f}% of them under a request's task"
        " (the rest: the event loop's callbacks, such as parsing HTTP and database replies)",
        "",
        "self, by package:",
    ]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in packages.most_common(12)]
    lines += ["", "self, by frame:"]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(SHOWN)]
    lines += ["", "inclusive, by frame (below the middleware every request passes):"]
    deep = [(name, n) for name, n in inclusive.most_common() if n < 0.8 * in_requests]
    lines += [f"  {100 * n / total:5.1f}%  {name}" for name, n in deep[: SHOWN * 2]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", help="a scenario's letter, as in RESULTS.md")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="postgresql")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8504)
    parser.add_argument("--native", action="store_true", help="include C frames (slower)")
    arguments = parser.parse_args()
    if shutil.which("py-spy") is None:
        sys.exit("profiling needs py-spy: pip install py-spy")
    url = database_url(arguments.engine, SIZES[arguments.size])
    load = Load(arguments.duration, 0, threads=2, connections=32, workers=arguments.workers)
    base_url = f"http://127.0.0.1:{arguments.port}"
    work = VAR / f"profile-{arguments.scenario}-{arguments.engine}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    addresses = asyncio.run(story_addresses(url))
    with servers.running(
        servers.broadsheet_command(arguments.port, workers=arguments.workers),
        ready_url=f"{base_url}/healthz",
        log=work / "server.log",
        env=broadsheet_env(url),
        cwd=work,
    ) as server:
        chosen = next(
            s for s in scenarios(base_url, addresses, work) if s.key == arguments.scenario
        )
        # Warm up as the benchmark does, priming both workers' caches for the rotations.
        if chosen.primed:
            prime(chosen, base_url, load, work / "wrk.log")
        wrk(chosen, base_url, load, seconds=2, log=work / "wrk.log")
        recorders, stack_files = [], []
        for pid in servers.worker_pids(server.pid):
            stack_files.append(work / f"{pid}.txt")
            recorders.append(
                _record(pid, stack_files[-1], seconds=arguments.duration, native=arguments.native)
            )
        time.sleep(0.5)
        measured = wrk(chosen, base_url, load, seconds=arguments.duration, log=work / "wrk.log")
        for recorder in recorders:
            recorder.wait()
    print(f"({chosen.key}) {chosen.name} on {arguments.engine}, {arguments.size}: "
          f"{measured.requests_per_second:.0f} req/s while sampled")  # fmt: skip
    print(summarise(stack_files))
    print(f"\nstacks: {work}")


if __name__ == "__main__":
    main()

"""The load scenarios, and running one of them with wrk."""

import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import httpx

from bench import prose
from bench.generate import PASSWORD, email
from bench.prose import ADJECTIVES, TAGS, VERBS, WORDS

WRK_SCRIPTS = Path(__file__).resolve().parent / "wrk"
PRIMING_PASS_SECONDS = 3
PRIMING_MAX_SECONDS = 45
# One request in this many is a write in the mixed scenario.
MIXED_WRITE_EVERY = 20
COMMENT_BODY = json.dumps({"comment": {"body": "Thank you for writing this; I learned a lot."}})


@dataclass(frozen=True)
class Load:
    duration: int
    warm_up: int
    threads: int
    connections: int
    workers: int


@dataclass
class Measurement:
    key: str
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    requests: int
    response_bytes: int = 0
    # X-Cache of one more request made right after the run: hit, miss, bypass, or none.
    cache: str = "none"
    # The largest server worker's resident memory right after the run, and the machine's
    # one-minute load average then (this machine may be shared).
    largest_worker_mb: float = 0.0
    load_average: float = 0.0


@dataclass(frozen=True)
class Scenario:
    key: str
    name: str
    script: str
    path: str
    arguments: list[str] = field(default_factory=list)
    method: str = "GET"
    body: str | None = None
    authorization: str | None = None
    warm_up: bool = True
    # Rotations over many cached paths run a priming pass first, so that both workers' caches
    # hold every path before the measurement starts.
    primed: bool = False
    adds_comments: bool = False
    # Reads mixed with writes: the cache column then shows the share of reads served from it.
    mixed: bool = False
    # Fewer connections than the run's, where what is measured is the latency of one request
    # rather than what the server does under as much load as it can take.
    connections: int | None = None


def wrk(scenario: Scenario, base_url: str, load: Load, *, seconds: int, log: Path) -> Measurement:
    connections = scenario.connections or load.connections
    threads = min(load.threads, connections)
    command = [
        "wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
        "--timeout", "5s", "-s", str(WRK_SCRIPTS / scenario.script),
        base_url + (scenario.path if scenario.script == "fixed.lua" else "/"),
        "--", *scenario.arguments,
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    with log.open("a") as file:
        file.write(f"$ {' '.join(command)}\n{output}\n")
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    numbers = json.loads(line.removeprefix("BENCH "))
    socket_errors = sum(
        numbers[name] for name in ("connect_errors", "read_errors", "write_errors", "timeouts")
    )
    return Measurement(
        key=scenario.key,
        name=scenario.name,
        requests_per_second=numbers["requests"] / (numbers["duration_us"] / 1e6),
        p50_ms=numbers["p50_us"] / 1000,
        p99_ms=numbers["p99_us"] / 1000,
        non_2xx=numbers["status_errors"],
        socket_errors=socket_errors,
        requests=numbers["requests"],
    )


def _send_once(scenario: Scenario, base_url: str) -> httpx.Response:
    headers = {"Authorization": scenario.authorization} if scenario.authorization else {}
    if scenario.body is not None:
        headers["Content-Type"] = "application/json"
    return httpx.request(
        scenario.method,
        base_url + scenario.path,
        content=scenario.body,
        headers=headers,
        timeout=30,
    )


def cache_lookups(base_url: str, result: str) -> float:
    """Lookups of the response cache so far with `result` (hit or miss), all workers together,
    from /metrics."""
    metrics = httpx.get(f"{base_url}/metrics", timeout=30).text
    prefix = f'broadsheet_response_cache_lookups_total{{result="{result}"}} '
    line = next((line for line in metrics.splitlines() if line.startswith(prefix)), None)
    return float(line.removeprefix(prefix)) if line else 0.0


def cache_misses(base_url: str) -> float:
    return cache_lookups(base_url, "miss")


def hit_ratio(base_url: str, run: Callable[[], Measurement]) -> tuple[Measurement, float]:
    """`run`'s measurement, and the share of the cache lookups during it that hit."""
    hits, misses = cache_lookups(base_url, "hit"), cache_misses(base_url)
    measurement = run()
    hits = cache_lookups(base_url, "hit") - hits
    misses = cache_misses(base_url) - misses
    return measurement, hits / ((hits + misses) or 1)


def prime(scenario: Scenario, base_url: str, load: Load, log: Path) -> None:
    """Run the rotation until a whole pass misses the cache no more, so that every worker's
    cache holds every path (a miss on PostgreSQL under load can take tens of milliseconds)."""
    for _ in range(PRIMING_MAX_SECONDS // PRIMING_PASS_SECONDS):
        misses = cache_misses(base_url)
        wrk(scenario, base_url, load, seconds=PRIMING_PASS_SECONDS, log=log)
        if cache_misses(base_url) == misses:
            return
    print(f"  ({scenario.key}) still missing the cache after priming", file=sys.stderr)


def measure(scenario: Scenario, base_url: str, load: Load, log: Path) -> Measurement:
    """Check that the scenario answers 2xx, warm it up, then load it for the full duration."""
    response = _send_once(scenario, base_url)
    if not response.is_success:
        raise RuntimeError(f"{scenario.name}: {response.status_code} {response.text[:300]}")
    if scenario.primed:
        prime(scenario, base_url, load, log)
    if scenario.warm_up and load.warm_up:
        wrk(scenario, base_url, load, seconds=load.warm_up, log=log)

    def run() -> Measurement:
        return wrk(scenario, base_url, load, seconds=load.duration, log=log)

    if scenario.mixed:
        measurement, ratio = hit_ratio(base_url, run)
        measurement.cache = f"{ratio:.1%} of reads hit"
    else:
        measurement = run()
    measurement.response_bytes = len(response.content)
    if scenario.method == "GET" and not scenario.mixed:
        measurement.cache = _send_once(scenario, base_url).headers.get("x-cache", "none")
    print(
        f"  ({scenario.key}) {scenario.name:<46} {measurement.requests_per_second:9.0f} req/s"
        f"  p50 {measurement.p50_ms:7.2f} ms  p99 {measurement.p99_ms:7.2f} ms"
        f"  non-2xx {measurement.non_2xx}  socket errors {measurement.socket_errors}"
        f"  cache {measurement.cache}",
        file=sys.stderr,
    )
    return measurement


def sign_in(base_url: str, number: int) -> str:
    """The Authorization header of writer `number`, signed in through the API."""
    body = {"user": {"email": email(number), "password": PASSWORD}}
    response = httpx.post(f"{base_url}/api/users/login", json=body, timeout=30)
    response.raise_for_status()
    token: str = response.json()["user"]["token"]
    return f"Token {token}"


# One search connection per server worker: its p99 is the time a search takes, not a queue's.
SEARCH_CONNECTIONS = 2


def search_queries(count: int, *, stories: int) -> list[str]:
    """Searches as readers type them: one word, two, a phrase, a word left out, a narrowed
    one, and a title's number, which only one story holds."""
    rng = prose.seeded("searches")
    shapes = [
        lambda: {"q": rng.choice(WORDS)},
        lambda: {"q": f"{rng.choice(ADJECTIVES)} {rng.choice(WORDS)}"},
        lambda: {"q": f'"{rng.choice(WORDS)} {rng.choice(VERBS)}"'},
        lambda: {"q": f"{rng.choice(WORDS)} -{rng.choice(WORDS)}"},
        lambda: {"q": rng.choice(WORDS), "tag": rng.choice(TAGS)},
        lambda: {"q": str(rng.randrange(stories))},
    ]
    return [f"/api/search?{urlencode(shapes[n % len(shapes)]())}" for n in range(count)]


def scenarios(base_url: str, addresses: list[tuple[str, str]], scratch: Path) -> list[Scenario]:
    """Every scenario, (a) to (i); the rotations read their paths from files under `scratch`."""
    token = sign_in(base_url, 0)
    api_paths = scratch / "api-paths.txt"
    api_paths.write_text("".join(f"/api/articles/{slug}\n" for _, slug in addresses))
    page_paths = scratch / "page-paths.txt"
    page_paths.write_text("".join(f"/@{author}/{slug}\n" for author, slug in addresses))
    comment_paths = scratch / "comment-paths.txt"
    comment_paths.write_text("".join(f"/api/articles/{slug}/comments\n" for _, slug in addresses))
    slugs = scratch / "slugs.txt"
    slugs.write_text("".join(f"{slug}\n" for _, slug in addresses))
    searches = search_queries(300, stories=len(addresses))
    search_paths = scratch / "search-paths.txt"
    search_paths.write_text("".join(f"{path}\n" for path in searches))
    first_author, first_slug = addresses[0]
    login = json.dumps({"user": {"email": email(1), "password": PASSWORD}})
    return [
        Scenario("a", "GET /api/articles?limit=20", "fixed.lua", "/api/articles?limit=20"),
        Scenario(
            "b", "GET /api/articles/{slug}", "rotate.lua", f"/api/articles/{first_slug}",
            [str(api_paths)], primed=True,
        ),
        Scenario(
            "c", "GET /@{user}/{slug} (story page)", "rotate.lua", f"/@{first_author}/{first_slug}",
            [str(page_paths)], primed=True,
        ),
        Scenario(
            "d", "GET /api/articles/feed, signed in", "fixed.lua", "/api/articles/feed",
            ["GET", "", token], authorization=token,
        ),
        Scenario(
            "e", f"GET /api/articles?tag={TAGS[0]}", "fixed.lua", f"/api/articles?tag={TAGS[0]}"
        ),
        Scenario(
            "f", "POST /api/articles/{slug}/comments, signed in", "rotate.lua",
            f"/api/articles/{first_slug}/comments",
            [str(comment_paths), "POST", COMMENT_BODY, token],
            method="POST", body=COMMENT_BODY, authorization=token, warm_up=False,
            adds_comments=True,
        ),
        Scenario(
            "g", "POST /api/users/login", "fixed.lua", "/api/users/login",
            ["POST", login], method="POST", body=login, warm_up=False,
        ),
        Scenario(
            "h", "GET /api/articles/{slug}, signed in", "rotate.lua",
            f"/api/articles/{first_slug}", [str(api_paths), "GET", "", token],
            authorization=token,
        ),
        Scenario(
            "i", "GET /api/articles?limit=20, signed in", "fixed.lua", "/api/articles?limit=20",
            ["GET", "", token], authorization=token,
        ),
        Scenario(
            "j", f"story pages, 1 in {MIXED_WRITE_EVERY} a favorite", "mixed.lua",
            f"/@{first_author}/{first_slug}",
            [str(page_paths), str(slugs), token, str(MIXED_WRITE_EVERY)], mixed=True,
        ),
        Scenario(
            "k", f"GET /api/search, signed in, {SEARCH_CONNECTIONS} connections", "rotate.lua",
            searches[0], [str(search_paths), "GET", "", token], authorization=token,
            connections=SEARCH_CONNECTIONS,
        ),
    ]  # fmt: skip

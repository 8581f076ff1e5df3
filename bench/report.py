"""RESULTS.md, written from the JSON results of every size and engine measured so far."""

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

Result = dict[str, Any]
SIZES = ("small", "large")
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# The reference: the best-known Python RealWorld implementations on this machine
# (PostgreSQL, 2 workers). Uncacheable scenarios must reach three times these.
REFERENCE = {"d": 55, "f": 400, "h": 680, "i": 70}
SCALE_SCENARIOS = ("a", "b", "d", "e")

INTRODUCTION = """\
# Benchmark results

`make bench` measures `small` on SQLite and PostgreSQL and rewrites this file; `python -m bench.run
--size large` adds `large` (generating it takes a while, once). Every scenario runs for {duration} s
with wrk ({threads} threads, {connections} connections) against `broadsheet serve --workers
{workers}`, on the same machine as wrk, after a {warm_up} s warm-up (reads only; (b) and (c) are
first primed, in 3 s passes until a whole pass adds no cache miss, so that each worker's cache holds
all 1,000 paths). "× nginx" and "× raw ASGI" divide a scenario's requests per second by those of the
ceilings measured in the same run: nginx (2 workers) serving a static file as large as a story page,
and a raw ASGI app returning the same bytes under uvicorn with the same options and worker count as
Broadsheet. "non-2xx" counts responses with a status of 400 or more (each scenario is first checked
to answer 2xx, so no redirect passes unnoticed); "socket errors" are connection errors and timeouts;
"cache" is the X-Cache header of one more request made right after the run (hit, miss, bypass for
signed-in requests, none when the response carries none). (h) and (i) are signed-in, hence never
cached, and compare with the issue's reference numbers. "worker MB" is the largest server worker's
resident memory right after the scenario, and "load" the machine's one-minute load average then:
other work on the machine shows there. (k) rotates over 300 searches (a word, two words, a
phrase, a word left out, a word in a topic, a title's number), signed in so that no cache
answers, on one connection per worker: its p99 is the time one search takes, not a queue's.
"""


def _scenario(result: Result, key: str) -> Result | None:
    return next((s for s in result["scenarios"] if s["key"] == key), None)


def _number(value: float | None, form: str) -> str:
    return format(value, form) if value else "–"


def _rows(result: Result) -> list[str]:
    nginx = result["ceilings"]["nginx"]["requests_per_second"]
    raw = result["ceilings"]["raw_asgi"]["requests_per_second"]
    rows = [
        "| scenario | req/s | p50 ms | p99 ms | non-2xx | socket errors | cache "
        "| × nginx | × raw ASGI | worker MB | load |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    ceilings = [
        ("ceiling", result["ceilings"]["nginx"]),
        ("ceiling", result["ceilings"]["raw_asgi"]),
    ]
    measured = [(f"({s['key']})", s) for s in result["scenarios"]]
    for label, measurement in ceilings + measured:
        rate = measurement["requests_per_second"]
        rows.append(
            f"| {label} {measurement['name']} | {rate:,.0f} | {measurement['p50_ms']:.2f} "
            f"| {measurement['p99_ms']:.2f} | {measurement['non_2xx']} "
            f"| {measurement['socket_errors']} | {measurement.get('cache', 'none')} "
            f"| {rate / nginx:.3f} | {rate / raw:.3f} "
            f"| {_number(measurement.get('largest_worker_mb'), '.0f')} "
            f"| {_number(measurement.get('load_average'), '.1f')} |"
        )
    return rows


def _section(result: Result) -> list[str]:
    machine, versions = result["machine"], result["versions"]
    generated = result.get("generated_seconds")
    before, after = result["load_average"]
    software = ", ".join(f"{name} {version}" for name, version in versions.items())
    lines = [
        f"## {result['size']} on {ENGINES[result['engine']]}",
        "",
        f"- measured {result['date']} at commit {result['commit']}",
        f"- machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB, "
        f"{machine['os']}; load average {before:.2f} before, {after:.2f} after",
        f"- {result['database']}; {software}",
        f"- response cache: {result.get('cache_store', 'in-process')}",
        f"- story page, and the ceilings' payload: {result['payload_bytes']:,} bytes",
        "- data: "
        + (f"generated in {generated:.0f} s" if generated else "already in the database"),
        "",
        *_rows(result),
        "",
        "Worker RSS after the run: "
        + ", ".join(f"{megabytes:.0f} MB" for megabytes in result["worker_rss_mb"])
        + " (at start: "
        + ", ".join(f"{megabytes:.0f} MB" for megabytes in result.get("worker_rss_mb_at_start", []))
        + ").",
    ]
    if result.get("deep_page_ms") is not None:
        lines.append(
            f"`GET /api/articles?limit=20&offset=10000`, one request at a time: median "
            f"{result['deep_page_ms']:.1f} ms of 20."
        )
    return [*lines, ""]


def _verdict(passed: bool, text: str) -> str:
    return f"{'yes' if passed else '**no**'}: {text}"


def _read_target(key: str) -> Callable[[Result, dict[str, Result]], str | None]:
    def check(result: Result, _: dict[str, Result]) -> str | None:
        measured = _scenario(result, key)
        if measured is None:
            return None
        share = measured["requests_per_second"] / result["ceilings"]["nginx"]["requests_per_second"]
        p99 = measured["p99_ms"]
        return _verdict(share >= 0.5 and p99 < 10, f"{share:.0%} of nginx, p99 {p99:.1f} ms")

    return check


def _rate_target(key: str) -> Callable[[Result, dict[str, Result]], str | None]:
    def check(result: Result, _: dict[str, Result]) -> str | None:
        measured = _scenario(result, key)
        if measured is None:
            return None
        rate = measured["requests_per_second"]
        return _verdict(rate >= 3 * REFERENCE[key], f"{rate:,.0f} req/s")

    return check


def _memory(result: Result, _: dict[str, Result]) -> str:
    largest = max(result["worker_rss_mb"], default=0)
    return _verdict(largest < 150, f"largest {largest:.0f} MB")


def _scale(result: Result, results: dict[str, Result]) -> str | None:
    small = results.get(f"small-{result['engine']}")
    if result["size"] == "small" or small is None:
        return None
    worst = []
    for key in SCALE_SCENARIOS:
        large_rate = _scenario(result, key)
        small_rate = _scenario(small, key)
        if large_rate and small_rate:
            ratio = small_rate["requests_per_second"] / large_rate["requests_per_second"]
            worst.append((ratio, key))
    ratio, key = max(worst)
    return _verdict(ratio <= 1.5, f"slowest ({key}) {ratio:.2f}× slower than small")


def _deep_page(result: Result, _: dict[str, Result]) -> str | None:
    milliseconds = result.get("deep_page_ms")
    if milliseconds is None:
        return None
    return _verdict(milliseconds < 50, f"{milliseconds:.1f} ms")


def _search(result: Result, _: dict[str, Result]) -> str | None:
    measured = _scenario(result, "k")
    if measured is None or result["size"] != "large":
        return None
    return _verdict(measured["p99_ms"] < 50, f"p99 {measured['p99_ms']:.1f} ms")


TARGETS: list[tuple[str, Callable[[Result, dict[str, Result]], str | None]]] = [
    ("(b) story via API: ≥ 50% of nginx, p99 < 10 ms", _read_target("b")),
    ("(c) story page: ≥ 50% of nginx, p99 < 10 ms", _read_target("c")),
    ("(d) feed, signed in: ≥ 165 req/s (3 × 55)", _rate_target("d")),
    ("(f) comment write: ≥ 1,200 req/s (3 × 400)", _rate_target("f")),
    ("(h) story, signed in: ≥ 2,040 req/s (3 × 680)", _rate_target("h")),
    ("(i) list of 20, signed in: ≥ 210 req/s (3 × 70)", _rate_target("i")),
    ("each worker under 150 MB RSS", _memory),
    ("(a), (b), (d), (e) on large within 1.5× of small", _scale),
    ("offset 10,000 under 50 ms", _deep_page),
    ("(k) search on large: p99 < 50 ms", _search),
]


def _targets(results: dict[str, Result]) -> list[str]:
    names = list(results)
    titles = [f"{r['size']}, {ENGINES[r['engine']]}" for r in results.values()]
    lines = [
        "## Targets",
        "",
        "| target | " + " | ".join(titles) + " |",
        "|---|" + "---|" * len(titles),
    ]
    for title, check in TARGETS:
        cells = [check(results[name], results) or "–" for name in names]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _growth(results: dict[str, Result]) -> list[str]:
    """Requests per second on large beside small, for each engine measured at both sizes."""
    lines: list[str] = []
    for engine, title in ENGINES.items():
        small, large = results.get(f"small-{engine}"), results.get(f"large-{engine}")
        if small is None or large is None:
            continue
        lines += [
            f"## large beside small on {title}",
            "",
            "| scenario | small req/s | large req/s | small ÷ large |",
            "|---|---:|---:|---:|",
        ]
        for measured in large["scenarios"]:
            before = _scenario(small, measured["key"])
            if before is None:
                continue
            was, now = before["requests_per_second"], measured["requests_per_second"]
            lines.append(
                f"| ({measured['key']}) {measured['name']} | {was:,.0f} | {now:,.0f} "
                f"| {was / now:.2f} |"
            )
        lines.append("")
    return lines


def _order(path: Path) -> tuple[int, int]:
    size, engine = path.stem.split("-", 1)
    return SIZES.index(size), list(ENGINES).index(engine)


def write(results_dir: Path, destination: Path) -> None:
    paths = sorted(results_dir.glob("*.json"), key=_order)
    results = {path.stem: json.loads(path.read_text()) for path in paths}
    latest = max(results.values(), key=lambda result: result["date"])
    lines = [INTRODUCTION.format(**latest["load"]), *_targets(results), *_growth(results)]
    for result in results.values():
        lines += _section(result)
    destination.write_text("\n".join(lines).rstrip() + "\n")

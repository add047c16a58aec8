"""How fast are Trellis's pages, next to the framework's floor? (`make bench`)

Run from the project folder:  .venv/bin/python bench/http_bench.py [--seconds 10]

It builds a production-like site (see bench/site.py: DEBUG off, gunicorn with one sync
worker per core, WhiteNoise, SQLite or DATABASE_URL), signs a linked couple in through
the real form, and points wrk at 127.0.0.1, one page after another in one run:

 1. a bare view that passes through the whole middleware stack and does nothing else,
    signed in and anonymous. The signed-in one is the reference every ratio is taken to:
    it reads a session and a user from the database, as every signed-in page must (so
    that a sign-out is seen at once by every worker), so no signed-in page can beat it;
 2. a static file through WhiteNoise (brotli, as a browser asks for it);
 3. the public first lesson, anonymous;
 4. a lesson page, signed in;
 5. the home page ("Your journey");
 6. the journal, holding 200 answers;
 7. the couple's page, /us/, each spouse holding 200 answers (a third of them shared);
 8. autosave: POSTs of a changing answer, each based on the version the last save
    returned, as journal.js sends them (one signed-in spouse per connection).

Every page is fetched once first and must answer 200 with its own content, so a
redirect to the sign-in page can never pass for a fast page; wrk must then report no
errors and no non-2xx answers. After the last page it reads each gunicorn worker's
resident memory from /proc/<pid>/status. Then it times content sync of 1,000 generated
lessons (bench/sync_bench.py) and the check-in charts (bench/chart_bench.py).

It prints a Markdown report and writes it to docs/benchmark.md (or --out), and puts the
page and memory tables in README.md between its bench markers. Exits 1 if a page failed
or a goal was missed, all at 8 connections:

- the signed-in lesson at 0.33x the signed-in bare view or better, with p99 <= 20 ms;
- the journal with 200 answers, and /us/ with 200 answers each: p99 <= 50 ms each;
- content sync of 1,000 lessons <= 5 s, unchanged re-sync <= 1 s (bench/sync_bench.py).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import ROOT, VENV_BIN, BenchSite, Cookies, build_couple, cores
from bench.sync_bench import TARGETS as SYNC_TARGETS

CONNECTIONS = 8
DEFAULT_OUT = ROOT / "docs" / "benchmark.md"
README = ROOT / "README.md"
README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"
REFERENCE = "bare view (signed in)"
GOAL_LESSON_RATIO = 0.33
GOAL_LESSON_P99_MS = 20.0
GOAL_GROWN_P99_MS = 50.0  # the journal and /us/ with 200 answers
LUA_GET = """
wrk.method = "GET"
wrk.headers["Cookie"] = "{cookie}"
wrk.headers["Accept-Encoding"] = "br, gzip"
"""
# One spouse per wrk thread (and one connection per thread), each saving the next
# draft on top of the version its last save returned, exactly as journal.js does.
LUA_AUTOSAVE = """
local spouses = {spouses}
local next_spouse = 0
function setup(thread)
  next_spouse = next_spouse + 1
  local s = spouses[next_spouse]
  thread:set("cookie", s[1])
  thread:set("csrf", s[2])
  thread:set("path", s[3])
end
function init(args)
  version = 0
  drafts = 0
end
function request()
  drafts = drafts + 1
  local body = "csrfmiddlewaretoken=" .. csrf .. "&base_version=" .. version ..
    "&text=A+draft+that+grows+a+little+each+time%2C+number+" .. drafts
  return wrk.format("POST", path, {{
    ["Cookie"] = cookie,
    ["Accept"] = "application/json",
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }}, body)
end
function response(status, headers, body)
  if status == 200 then
    version = tonumber(string.match(body, '"version": *(%d+)')) or version
  end
end
"""


@dataclass
class Target:
    label: str
    path: str
    cookies: Cookies | None
    expect: str  # text the page must contain: proof it is the page, not a redirect
    lua: str = ""
    warmup_lua: str = ""  # autosave warms up on another question: versions start at 0
    goal_ratio: float | None = None  # to the signed-in bare view, at least
    goal_p99_ms: float | None = None  # at most


@dataclass
class Result:
    target: Target
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int

    @property
    def label(self) -> str:
        return self.target.label

    @property
    def path(self) -> str:
        return self.target.path


@dataclass
class WorkerMemory:
    pid: int
    resident_kib: int  # VmRSS: what the worker holds in memory now
    peak_kib: int  # VmHWM: the most it has held


def wrk(
    site: BenchSite, target: Target, seconds: int, scratch: Path, *, warmup: bool = False
) -> Result:
    script = scratch / "wrk.lua"
    cookie = target.cookies.header if target.cookies else ""
    lua = target.warmup_lua if warmup else target.lua
    script.write_text(lua or LUA_GET.format(cookie=cookie))
    threads = CONNECTIONS if target.lua else min(CONNECTIONS, cores())
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={CONNECTIONS}",
        f"--duration={seconds}s",
        "--latency",
        f"--script={script}",
        site.base_url + target.path,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if socket:
        # gunicorn's sync workers close every connection after answering; wrk counts
        # the close it then sees as a read error, so only connect/write/timeout count.
        errors += int(socket[1]) + int(socket[3]) + int(socket[4])
    return Result(
        target=target,
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        p50_ms=_ms(re.search(r"\s50%\s+([\d.]+\w+)", output)[1]),
        p99_ms=_ms(re.search(r"\s99%\s+([\d.]+\w+)", output)[1]),
        requests=int(re.search(r"(\d+) requests in", output)[1]),
        errors=errors,
    )


def _ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def autosave_lua(site: BenchSite) -> tuple[str, str, str]:
    """Eight signed-in spouses, each autosaving their own answer to one question of the
    first lesson (open to a new account): one script to warm up, one to measure."""
    from course.models import Prompt

    first, second = (
        f"/journal/{slug}/"
        for slug in Prompt.objects.current()
        .order_by("lesson__stage__order", "lesson__order", "order")
        .values_list("slug", flat=True)[:2]
    )
    writers = []
    for number in range(CONNECTIONS):
        email = f"autosave-{number}@example.test"
        site.make_person(email, f"Writer {number}")
        writers.append(site.sign_in(email))

    def script(path: str) -> str:
        spouses = [[cookies.header, cookies.csrf_token, path] for cookies in writers]
        return LUA_AUTOSAVE.format(spouses=json.dumps(spouses).replace("[", "{").replace("]", "}"))

    return script(first), script(second), second


def targets(site: BenchSite) -> list[Target]:
    from course.models import Lesson

    first = Lesson.objects.current().order_by("stage__order", "order").first()
    reading = Lesson.objects.current().filter(stage__slug="trust").order_by("order").first()
    build_couple(site, answers=200)
    signed_in = site.sign_in("bench-a@example.test")
    manifest = json.loads((Path(site.env["DJANGO_STATIC_ROOT"]) / "staticfiles.json").read_text())
    stylesheet = "/static/" + manifest["paths"]["css/site.css"]
    warmup, autosave, answer_path = autosave_lua(site)
    return [
        Target(REFERENCE, "/bench/bare", signed_in, "ok"),
        Target("bare view (anonymous)", "/bench/bare", None, "ok"),
        Target("static file (site.css, brotli)", stylesheet, None, ""),
        Target("public lesson (anonymous)", first.get_absolute_url(), None, first.title[:20]),
        Target(
            "lesson (signed in)",
            reading.get_absolute_url(),
            signed_in,
            "Your Turn",
            goal_ratio=GOAL_LESSON_RATIO,
            goal_p99_ms=GOAL_LESSON_P99_MS,
        ),
        Target("home: your journey", "/", signed_in, "Your journey"),
        Target("settings (/account/), every time zone", "/account/", signed_in, "Pacific/Auckland"),
        Target(
            "journal, 200 answers",
            "/journal/",
            signed_in,
            "answer 199",
            goal_p99_ms=GOAL_GROWN_P99_MS,
        ),
        Target(
            "our journey (/us/), 200 answers each",
            "/us/",
            signed_in,
            "Blake",
            goal_p99_ms=GOAL_GROWN_P99_MS,
        ),
        Target("autosave POST", answer_path, None, "", lua=autosave, warmup_lua=warmup),
    ]


def check_page(site: BenchSite, target: Target) -> None:
    if target.lua:
        return
    response = site.request("GET", target.path, cookies=target.cookies)
    if response.status != 200 or target.expect not in response.text:
        raise SystemExit(
            f"{target.label}: {target.path} answered {response.status} without "
            f"{target.expect!r}; the benchmark would measure the wrong page."
        )


def run_http(
    seconds: int, database_url: str, only: list[str]
) -> tuple[list[Result], list[WorkerMemory], str]:
    with tempfile.TemporaryDirectory(prefix="trellis-http-bench-") as scratch:
        site = BenchSite(Path(scratch), database_url=database_url, settings_module="bench.settings")
        site.prepare()
        results = []
        with site.serving():
            plan = targets(site)
            if only:  # the reference rows always run: every ratio is taken to them
                plan = plan[:2] + [t for t in plan[2:] if any(o in t.label for o in only)]
            for target in plan:
                check_page(site, target)
            for target in plan:
                wrk(site, target, max(2, seconds // 5), Path(scratch), warmup=True)
                results.append(wrk(site, target, seconds, Path(scratch)))
                print(f"  {results[-1].label}: {results[-1].requests_per_second:,.0f} req/s")
            memory = worker_memory(site.process.pid)
        return results, memory, site.database_label


def worker_memory(master_pid: int) -> list[WorkerMemory]:
    """Each gunicorn worker (a child of the master) as /proc/<pid>/status has it now."""
    workers = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = dict(re.findall(r"^(\w+):\s+(\d+)", text, re.MULTILINE))
        if int(fields.get("PPid", -1)) == master_pid and "VmRSS" in fields:
            workers.append(
                WorkerMemory(int(status.parent.name), int(fields["VmRSS"]), int(fields["VmHWM"]))
            )
    return sorted(workers, key=lambda worker: worker.pid)


def memory_table(memory: list[WorkerMemory]) -> str:
    if not memory:
        return "No gunicorn worker could be read from /proc (not Linux?)."
    lines = [
        "| gunicorn worker | resident (VmRSS) MiB | peak (VmHWM) MiB |",
        "|---|---:|---:|",
    ]
    for number, worker in enumerate(memory, start=1):
        lines.append(
            f"| {number} (pid {worker.pid}) | {worker.resident_kib / 1024:.1f} "
            f"| {worker.peak_kib / 1024:.1f} |"
        )
    return "\n".join(lines)


def goal_text(target: Target) -> str:
    if target.label == REFERENCE:
        return "reference"
    goals = []
    if target.goal_ratio is not None:
        goals.append(f"≥ {target.goal_ratio:g}x")
    if target.goal_p99_ms is not None:
        goals.append(f"p99 ≤ {target.goal_p99_ms:g} ms")
    return ", ".join(goals)


def http_table(results: list[Result]) -> tuple[str, list[str]]:
    """The page table, each page's requests/s as a ratio to the signed-in bare view."""
    reference = next(r for r in results if r.label == REFERENCE).requests_per_second
    lines = [
        "| page | path | requests/s | x signed-in bare | p50 ms | p99 ms | errors | goal |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    missed = []
    for r in results:
        ratio = r.requests_per_second / reference
        lines.append(
            f"| {r.label} | `{r.path}` | {r.requests_per_second:,.0f} | {ratio:.2f} "
            f"| {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {goal_text(r.target)} |"
        )
        if r.errors:
            missed.append(f"{r.label}: {r.errors} errors")
        if not r.requests:  # no latency to judge: never a pass
            missed.append(f"{r.label}: no request finished")
        if r.target.goal_ratio is not None and ratio < r.target.goal_ratio:
            missed.append(f"{r.label}: {ratio:.2f}x signed-in bare < {r.target.goal_ratio:g}x")
        if r.target.goal_p99_ms is not None and r.p99_ms > r.target.goal_p99_ms:
            missed.append(f"{r.label}: p99 {r.p99_ms:.1f} ms > {r.target.goal_p99_ms:g} ms")
    return "\n".join(lines), missed


def run_script(name: str) -> tuple[str, bool]:
    done = subprocess.run(  # noqa: S603
        [str(VENV_BIN / "python"), f"bench/{name}"], cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip(), done.returncode == 0


def update_readme(summary: str, verdict: str) -> None:
    """Put the latest page table between the README's bench markers."""
    text = README.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        return
    head, rest = text.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    block = f"{README_START}\n{summary}\nResult: {verdict}.\n{README_END}"
    README.write_text(head + block + tail, encoding="utf-8")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found[1].strip() if found else cpu
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text())[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    return f"{cores()} cores ({cpu}){memory}, {platform.system()} {platform.release()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per page")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--pages-only", action="store_true", help="skip the sync and chart benches")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="the bare views and pages whose label holds this (repeatable; as --pages-only)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk (Debian/Ubuntu) or brew install wrk.")
        return 2

    print(f"HTTP: wrk, {CONNECTIONS} connections, {args.seconds} s a page...")
    results, memory, database = run_http(args.seconds, args.database_url, args.only)
    table, missed = http_table(results)
    memory = memory_table(memory)
    if args.pages_only or args.only:  # a partial run never overwrites the report
        print(table, "", memory, *missed, sep="\n")
        return 1 if missed else 0
    print("Content sync, 1,000 lessons...")
    sync_table, sync_ok = run_script("sync_bench.py")
    print("Check-in charts...")
    chart_table, chart_ok = run_script("chart_bench.py")
    if not sync_ok:
        missed.append("content sync missed its target")
    if not chart_ok:
        missed.append("chart drawing missed its target")

    import django

    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = f"""# Benchmark

Taken {now} by `make bench` on {machine()}; Python {platform.python_version()},
Django {django.get_version()}, {database}. gunicorn runs {cores()} sync workers (one per
core) with DEBUG off; wrk runs on the same machine with {CONNECTIONS} connections for
{args.seconds} s a page, after a short warm-up. Figures are ratios within this one run:
compare them, not the absolute numbers, between machines.

Every ratio is to the **signed-in bare view**: a view that does nothing behind the whole
middleware stack with a signed-in session, so it loads the session and the user from the
database as every signed-in page must (so that a sign-out is seen at once by every
worker). No signed-in page can be faster; the anonymous bare view is shown for scale.

Goals (at {CONNECTIONS} connections):

- signed-in lesson ≥ {GOAL_LESSON_RATIO:g}x the signed-in bare view, with p99
  ≤ {GOAL_LESSON_P99_MS:g} ms;
- the journal with 200 answers and /us/ with 200 answers each: p99 ≤ {GOAL_GROWN_P99_MS:g} ms;
- content sync of 1,000 lessons ≤ {SYNC_TARGETS["first sync"]:g} s, unchanged re-sync
  ≤ {SYNC_TARGETS["unchanged re-sync"]:g} s.

## Pages

{table}

## Memory

Each gunicorn worker's memory after the last page, from /proc/<pid>/status.

{memory}

## Content sync (bench/sync_bench.py)

{sync_table}

## Check-in charts (bench/chart_bench.py)

{chart_table}

## Result

{"All goals met." if not missed else "Missed: " + "; ".join(missed) + "."}
"""
    print()
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    if args.out == DEFAULT_OUT:
        summary = f"Taken {now} on {machine()}, {database}.\n\n{table}\n\n{memory}\n"
        update_readme(summary, "all goals met" if not missed else "missed: " + "; ".join(missed))
    print(f"Written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

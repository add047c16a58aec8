"""Do Trellis's main pages pass Lighthouse on a phone? (`make audit`)

Run from the project folder:  .venv/bin/python bench/audit.py [--runs 3]

It builds a production-like site (see bench/site.py: DEBUG off, gunicorn, WhiteNoise, a
scratch SQLite database), gives a linked couple 30 answers each, signs one spouse in
through the real form, and runs Lighthouse (node_modules/.bin/lighthouse, from
package.json) on six pages, one after another with a short pause between them:

- the landing page, the course outline and the public first lesson, anonymous;
- a lesson with its answer forms, the journal and the home page, signed in (the
  session cookie goes in Lighthouse's --extra-headers).

Lighthouse keeps its defaults: a mobile phone with simulated throttling. It drives the
system Chromium (CHROMIUM_PATH, or chromium on the PATH) and never downloads one. The
browser sends everything that is not on 127.0.0.1 to a closed port and Lighthouse's
network log is checked too, so a page that reaches for the internet (a CDN, a font)
fails the audit instead of quietly fetching it.

Goals, on every page: accessibility 100, best practices 95 or more, performance 95 or
more. Performance moves with CPU load; these small pages have scored 99 or 100 even with
both cores busy, so one run a page is the default. For a close call, --runs 3 (or 5)
audits each page that many times and counts the run with the median performance score,
as Lighthouse's docs advise. A run that ends in a Lighthouse runtime error (NO_NAVSTART
now and then) is tried again, up to three times.

It prints a Markdown table (with the failing audits of any category under its goal),
writes it to docs/audit.md (or --out), keeps the JSON reports in a scratch folder it
names, and exits 1 if a page misses a goal.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.http_bench import machine
from bench.site import HOST, ROOT, BenchSite, Cookies, build_couple

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
ANSWERS = 30
PORT = 8112  # not the benchmark's 8111: a leftover benchmark server cannot answer for us
ATTEMPTS = 3  # Lighthouse runs that end in a runtime error are tried again
PAUSE_SECONDS = 2.0  # lets the CPU settle between runs; the score is sensitive to load
GOALS = {"performance": 95, "accessibility": 100, "best-practices": 95}
CATEGORY_LABELS = {
    "performance": "performance",
    "accessibility": "accessibility",
    "best-practices": "best practices",
}
CHROME_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # we run as root in CI
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    # Anything not on loopback goes to the discard port and fails: no traffic leaves.
    "--proxy-server=http://127.0.0.1:9",
]


@dataclass
class Page:
    label: str
    path: str
    cookies: Cookies | None
    expect: str  # text the page must hold: proof it is the page, not a redirect


@dataclass
class Outcome:
    page: Page
    scores: dict[str, int]
    failing: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # errors, redirects, off-host requests
    performance_runs: list[int] = field(default_factory=list)
    report: Path | None = None

    @property
    def missed(self) -> list[str]:
        below = [
            f"{CATEGORY_LABELS[name]} {self.scores[name]} < {goal}"
            for name, goal in GOALS.items()
            if self.scores[name] < goal
        ]
        return below + self.problems


# --- the pages -------------------------------------------------------------------------
def pages(site: BenchSite) -> list[Page]:
    from course.models import Lesson
    from course.progress import journey_for

    first = Lesson.objects.current().order_by("stage__order", "order").first()
    me, _partner = build_couple(site, answers=ANSWERS)
    working_on = journey_for(me).next_lesson  # the lesson home offers to continue
    signed_in = site.sign_in(me.email)
    return [
        Page("landing", "/", None, "Create account"),
        Page("outline", "/course/", None, first.title[:20]),
        Page("first lesson", first.get_absolute_url(), None, first.title[:20]),
        Page("lesson, signed in", working_on.get_absolute_url(), signed_in, "<textarea"),
        Page("journal", "/journal/", signed_in, f"answer {ANSWERS - 1}"),
        Page("home", "/", signed_in, "Your journey"),
    ]


def check_page(site: BenchSite, page: Page) -> None:
    response = site.request("GET", page.path, cookies=page.cookies)
    if response.status != 200 or page.expect not in response.text:
        raise SystemExit(
            f"{page.label}: {page.path} answered {response.status} without "
            f"{page.expect!r}; the audit would measure the wrong page."
        )


# --- Lighthouse ------------------------------------------------------------------------
def chromium() -> str:
    found = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if not found:
        raise SystemExit("Chromium is missing: run `make chromium` or set CHROMIUM_PATH.")
    return found


def lighthouse(site: BenchSite, page: Page, report: Path) -> dict:
    command = [
        str(LIGHTHOUSE),
        site.base_url + page.path,
        "--only-categories=performance,accessibility,best-practices",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        "--quiet",
        "--no-enable-error-reporting",  # never Sentry, whatever a saved preference says
    ]
    if page.cookies:
        headers = report.with_suffix(".headers.json")
        headers.write_text(json.dumps({"Cookie": page.cookies.header}))
        command.append(f"--extra-headers={headers}")
    env = {**os.environ, "CHROME_PATH": chromium()}
    for attempt in range(1, ATTEMPTS + 1):
        report.unlink(missing_ok=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)  # noqa: S603
        if not done.returncode and report.exists():
            return json.loads(report.read_text())
        # Now and then Lighthouse loses the trace (NO_NAVSTART, NO_FCP): try again.
        error = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"    Lighthouse failed on {page.path} (attempt {attempt}): {error}")
    raise SystemExit(f"Lighthouse failed {ATTEMPTS} times on {page.path}:\n{done.stderr[-3000:]}")


def scores(result: dict) -> dict[str, int]:
    return {
        name: round((category["score"] or 0) * 100)
        for name, category in result["categories"].items()
    }


def failing_audits(result: dict, category: str) -> list[str]:
    """The category's audits that did not pass (Lighthouse's own line is 0.9)."""
    failed = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = result["audits"][ref["id"]]
        mode = audit["scoreDisplayMode"]
        if mode == "error":
            failed.append(f"`{ref['id']}` (error: {audit.get('errorMessage', '?')})")
        elif mode in {"binary", "numeric", "metricSavings"} and (audit["score"] or 0) < 0.9:
            shown = f": {audit['displayValue']}" if audit.get("displayValue") else ""
            failed.append(f"`{ref['id']}` {audit['title']}{shown}")
    return failed


def problems(site: BenchSite, page: Page, result: dict) -> list[str]:
    """Anything that makes the scores untrustworthy, whatever they are."""
    found = []
    if result.get("runtimeError"):
        found.append(f"Lighthouse: {result['runtimeError'].get('message')}")
    if result.get("finalDisplayedUrl") != site.base_url + page.path:
        found.append(f"ended at {result.get('finalDisplayedUrl')}")
    broken = [
        ref["id"]
        for category in result["categories"].values()
        for ref in category["auditRefs"]
        if ref["weight"] and result["audits"][ref["id"]]["scoreDisplayMode"] == "error"
    ]
    if broken:
        found.append("audits that count but crashed: " + ", ".join(sorted(broken)))
    requests = result["audits"].get("network-requests", {}).get("details", {}).get("items", [])
    away = sorted({urlsplit(r["url"]).netloc for r in requests if _off_host(r["url"])})
    if away:
        found.append("requests off 127.0.0.1: " + ", ".join(away))
    return found


def _off_host(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https", "ws", "wss"} and parts.hostname != HOST


def audit(site: BenchSite, page: Page, reports: Path, runs: int) -> Outcome:
    """`runs` Lighthouse runs of one page; the run with the median performance counts."""
    results = []
    for run in range(runs):
        if results:
            time.sleep(PAUSE_SECONDS)
        report = reports / f"{page.label.replace(', ', '-').replace(' ', '-')}-{run + 1}.json"
        results.append((lighthouse(site, page, report), report))
    performance = [scores(result)["performance"] for result, _ in results]
    ordered = sorted(results, key=lambda item: scores(item[0])["performance"])
    result, report = ordered[(len(ordered) - 1) // 2]
    outcome = Outcome(page, scores(result), performance_runs=performance, report=report)
    for name, goal in GOALS.items():
        if outcome.scores[name] < goal:
            outcome.failing[name] = failing_audits(result, name)
    outcome.problems = problems(site, page, result)
    return outcome


# --- reporting -------------------------------------------------------------------------
def table(outcomes: list[Outcome]) -> str:
    lines = [
        "| page | path | performance | accessibility | best practices | failing audits |",
        "|---|---|---:|---:|---:|---|",
    ]
    for o in outcomes:
        notes = [
            f"{CATEGORY_LABELS[name]}: " + ("; ".join(audits) or "none listed")
            for name, audits in o.failing.items()
        ] + o.problems
        performance = str(o.scores["performance"])
        if len(o.performance_runs) > 1:
            performance += f" ({min(o.performance_runs)} to {max(o.performance_runs)})"
        lines.append(
            f"| {o.page.label} | `{o.page.path}` | {performance} "
            f"| {o.scores['accessibility']} | {o.scores['best-practices']} "
            f"| {'<br>'.join(notes) or 'none'} |"
        )
    return "\n".join(lines)


def versions(outcomes: list[Outcome]) -> tuple[str, str]:
    result = json.loads(outcomes[0].report.read_text())
    done = subprocess.run([chromium(), "--version"], capture_output=True, text=True)  # noqa: S603
    browser = " ".join(done.stdout.split()[:2]) or result["environment"]["hostUserAgent"]
    return result["lighthouseVersion"], browser


def report_text(outcomes: list[Outcome], runs: int, seconds: float) -> str:
    lighthouse_version, browser = versions(outcomes)
    missed = [f"{o.page.label}: {m}" for o in outcomes for m in o.missed]
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    counted = "one run a page"
    if runs > 1:
        counted = (
            f"{runs} runs a page, the one with the median performance counted (the "
            "performance column shows it, then the range over all runs)"
        )
    return f"""# Lighthouse audit

Taken {now} by `make audit` (bench/audit.py) on {machine()}.
Lighthouse {lighthouse_version}, {browser} (headless), Node {_node_version()},
Python {platform.python_version()}; {seconds:.0f} s in all.

Lighthouse keeps its defaults: a mobile phone with simulated throttling. Pages are
audited one after another, {counted}. The site is production-like (DEBUG off,
gunicorn, WhiteNoise, SQLite); signed-in pages belong to a spouse with {ANSWERS}
answers, and no request may leave 127.0.0.1.

Goals on every page: accessibility {GOALS["accessibility"]}, best practices \
{GOALS["best-practices"]} or more, performance {GOALS["performance"]} or more.

{table(outcomes)}

## Result

{"All goals met." if not missed else "Missed: " + "; ".join(missed) + "."}
"""


def _node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True)  # noqa: S607
    return done.stdout.strip().lstrip("v") or "?"


# --- running ---------------------------------------------------------------------------
def run(runs: int, reports: Path) -> list[Outcome]:
    with tempfile.TemporaryDirectory(prefix="trellis-audit-site-") as scratch:
        site = BenchSite(Path(scratch), settings_module="config.settings", port=PORT)
        site.prepare()
        with site.serving():
            plan = pages(site)
            for page in plan:
                check_page(site, page)
            outcomes = []
            for page in plan:
                outcomes.append(audit(site, page, reports, runs))
                o = outcomes[-1]
                print(f"  {page.label}: " + ", ".join(f"{k} {v}" for k, v in o.scores.items()))
                time.sleep(PAUSE_SECONDS)
        return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="Lighthouse runs a page (median)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "audit.md")
    parser.add_argument("--reports", type=Path, help="where to keep the JSON reports")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        print("Lighthouse is missing: run `npm ci` (or `make install-dev`) first.")
        return 2
    reports = args.reports or Path(tempfile.mkdtemp(prefix="trellis-audit-reports-"))
    reports.mkdir(parents=True, exist_ok=True)

    print(f"Lighthouse, {args.runs} run(s) a page, mobile...")
    started = time.monotonic()
    outcomes = run(args.runs, reports)
    text = report_text(outcomes, args.runs, time.monotonic() - started)
    print()
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"Written to {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    print(f"JSON reports in {reports}")
    return 1 if any(o.missed for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())

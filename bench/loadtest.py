"""Does Trellis hold up under load, and does it lose a word? (`make loadtest`)

Run from the project folder (locust comes with the `load` extra: uv pip install -r
pyproject.toml --extra load):
    .venv/bin/python bench/loadtest.py [--users 50] [--seconds 60] [--restart]
        [--database-url postgres://trellis:trellis@127.0.0.1:5432/trellis_bench]

It builds a production-like site (see bench/site.py: DEBUG off, gunicorn with one sync
worker per core on 127.0.0.1, a fresh SQLite file or a PostgreSQL database whose name ends
in _bench), makes one verified account per simulated spouse and signs each in through the
real allauth form before the load starts. Then locust (bench/locustfile.py), headless and
aimed at 127.0.0.1 only, runs the users for the given time: reading the outline, the lesson
they are on, home and the journal; finishing lessons; autosaving answers as journal.js does.
With --restart, gunicorn is stopped gracefully halfway and started again on the same port.

It prints a Markdown report: requests, failures and latency percentiles per request type
(from locust's CSV), then the no-loss check, read from the database through Django's ORM:
for every answer the load saved, the stored (decrypted) text and version must be exactly
those of the last save the server acknowledged, and every acknowledged completion must
exist. Exits 1 if a save was lost or corrupted, a completion is missing, or a request
failed (with --restart: failed outside the restart window, or a text was never saved).
The scratch folder (locust's CSV and log, the ledger, gunicorn.log) is kept on failure
or with --keep. Signing in more than 30 users takes minutes: allauth allows 30 sign-ins
a minute from one address, counted across all workers.

Nothing here talks to anything but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.site import ROOT, VENV_BIN, BenchSite, Cookies

PORT = 8121
STOP_TIMEOUT = 30  # seconds locust lets each user finish its task at the end
SIGN_IN_PATIENCE = 300  # seconds to wait out allauth's sign-in rate limit
RESTART_SLACK = 1.0  # seconds either side of the restart in which failures are expected
EXPECTED_IN_RESTART = {"connection", "server"}
SITE_SETTINGS = ("DJANGO_", "TRELLIS_", "DATABASE_URL")


# --- building ---------------------------------------------------------------------------
def course_plan() -> list[dict]:
    """The current lessons in the order a spouse walks them, with their questions."""
    from course.models import Prompt, Stage

    lessons = [lesson for stage in Stage.objects.outline() for lesson in stage.current_lessons]
    prompts: dict[str, list[str]] = {lesson.slug: [] for lesson in lessons}
    for slug, lesson in Prompt.objects.current().values_list("slug", "lesson__slug"):
        if lesson in prompts:
            prompts[lesson].append(slug)
    return [{"slug": lesson.slug, "prompts": prompts[lesson.slug]} for lesson in lessons]


def make_accounts(site: BenchSite, count: int) -> list[str]:
    from django.db import transaction

    emails = [f"load-{number:03d}@example.test" for number in range(count)]
    with transaction.atomic():
        for number, email in enumerate(emails):
            site.make_person(email, f"Spouse {number}")
    return emails


def sign_in_all(site: BenchSite, emails: list[str]) -> list[dict]:
    """Through the real form, a few at a time (each sign-in hashes the password once)."""
    with ThreadPoolExecutor(max_workers=site.workers) as pool:
        jars = list(pool.map(lambda email: sign_in_patiently(site, email), emails))
    return [{"email": email, "cookies": jar.jar} for email, jar in zip(emails, jars, strict=True)]


def sign_in_patiently(site: BenchSite, email: str) -> Cookies:
    """allauth allows 30 sign-ins a minute from one address (counted in the database, so
    across workers), so more users than that wait for the next minute."""
    deadline = time.monotonic() + SIGN_IN_PATIENCE
    while True:
        try:
            return site.sign_in(email)
        except RuntimeError as error:
            if "failed with 429" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(5)


# --- the load -----------------------------------------------------------------------------
class Restart(threading.Thread):
    """Stops gunicorn gracefully `after` seconds in and starts it again on the same port."""

    def __init__(self, site: BenchSite, after: float) -> None:
        super().__init__(daemon=True)
        self.site = site
        self.after = after
        self.finished = threading.Event()  # set when the load ends first
        self.stopping = self.stopped = self.serving = 0.0
        self.error = ""

    def run(self) -> None:
        if self.finished.wait(self.after):
            return
        try:
            self.stopping = time.time()
            self.site.stop()
            self.stopped = time.time()
            self.site.start()
            self.serving = time.time()
        except RuntimeError as error:
            self.error = str(error)


@dataclass
class Load:
    started: float
    ended: float
    returncode: int
    restart: Restart | None


def run_locust(site: BenchSite, args: argparse.Namespace, scratch: Path) -> Load:
    command = [
        str(VENV_BIN / "locust"),
        "--locustfile=bench/locustfile.py",
        "--headless",
        f"--users={args.users}",
        f"--spawn-rate={args.spawn_rate or max(1, args.users // 5)}",
        f"--run-time={args.seconds}s",
        f"--host={site.base_url}",
        f"--csv={scratch / 'stats'}",
        "--only-summary",
        f"--stop-timeout={STOP_TIMEOUT}",
        "--loglevel=WARNING",
    ]
    # locust needs none of the site's settings (its secret and journal keys least of all).
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(SITE_SETTINGS)},
        "TRELLIS_LOAD_ACCOUNTS": str(scratch / "accounts.json"),
        "TRELLIS_LOAD_LEDGER": str(scratch / "ledger.json"),
    }
    restart = Restart(site, args.seconds / 2) if args.restart else None
    started = time.time()
    with open(scratch / "locust.log", "wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
        if restart:
            restart.start()
        returncode = process.wait()
    ended = time.time()
    if restart:
        restart.finished.set()
        restart.join()
    return Load(started, ended, returncode, restart)


# --- reading what happened ---------------------------------------------------------------
def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def stats_table(rows: list[dict]) -> str:
    lines = [
        "| request | requests | failures | median ms | p95 ms | p99 ms | req/s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        total = row["Name"] == "Aggregated"
        label = "**total**" if total else f"{row['Type']} `{row['Name']}`"
        lines.append(
            f"| {label} | {int(row['Request Count']):,} | {int(row['Failure Count']):,} "
            f"| {_number(row['50%'])} | {_number(row['95%'])} | {_number(row['99%'])} "
            f"| {float(row['Requests/s']):.1f} |"
        )
    return "\n".join(lines)


def _number(value: str) -> str:
    return "-" if value in ("", "N/A") else f"{float(value):,.0f}"


def failures_table(rows: list[dict]) -> str:
    if not rows:
        return "No failed requests."
    lines = ["| request | error | count |", "|---|---|---:|"]
    for row in sorted(rows, key=lambda row: -int(row["Occurrences"])):
        error = re.sub(r"^CatchResponseError\('(.*)'\)$", r"\1", row["Error"]).replace("|", "\\|")
        lines.append(f"| {row['Method']} `{row['Name']}` | {error} | {row['Occurrences']} |")
    return "\n".join(lines)


# --- the no-loss check -------------------------------------------------------------------
@dataclass
class Check:
    acknowledged: int = 0
    answers: int = 0
    lost: int = 0
    corrupted: int = 0
    history: int = 0  # newest AnswerVersion differs from the answer
    skipped: int = 0  # acknowledged versions not 1, 2, 3... for one answer
    saved_unacknowledged: int = 0
    stray: int = 0  # answers in the database the load never sent
    unsaved: int = 0
    unsettled: int = 0
    completions: int = 0
    missing_completions: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, what: str) -> None:
        if len(self.examples) < 5:
            self.examples.append(what)


def last_acknowledged(saves: list[dict], check: Check) -> dict[tuple[str, str], dict]:
    """The newest acknowledged save per (account, question), in the order they came."""
    last: dict[tuple[str, str], dict] = {}
    for save in saves:
        key = (save["email"], save["prompt"])
        before = last[key]["version"] if key in last else 0
        if save["version"] != before + 1:
            check.skipped += 1
            check.note(f"{key}: acknowledged version {save['version']} after {before}")
        last[key] = save
    return last


def stored_answers(emails: list[str]) -> dict[tuple[str, str], object]:
    from course.models import Answer, AnswerVersion

    answers = {
        (answer.author.email, answer.prompt_id): answer
        for answer in Answer.objects.filter(author__email__in=emails).select_related("author")
    }
    newest: dict[int, object] = {}
    for version in AnswerVersion.objects.filter(answer__in=answers.values()):
        if version.answer_id not in newest or version.version > newest[version.answer_id].version:
            newest[version.answer_id] = version
    for answer in answers.values():
        answer.newest = newest.get(answer.pk)
    return answers


def check_saves(ledger: dict, emails: list[str], check: Check) -> None:
    last = last_acknowledged(ledger["saves"], check)
    answers = stored_answers(emails)
    # Texts sent but never acknowledged: the server may or may not hold them.
    maybe = {(d["email"], d["prompt"]): d for d in ledger["unsaved"] + ledger["unsettled"]}
    check.acknowledged = len(ledger["saves"])
    check.answers = len(last)
    check.unsaved = len(ledger["unsaved"])
    check.unsettled = len(ledger["unsettled"])
    for key, save in last.items():
        answer = answers.get(key)
        if answer is None:
            check.lost += 1
            check.note(f"{key}: acknowledged version {save['version']}, nothing stored")
        elif answer.text == save["text"] and answer.version == save["version"]:
            newest = answer.newest
            if newest is None or newest.version != answer.version or newest.text != answer.text:
                check.history += 1
                check.note(f"{key}: the newest saved version differs from the answer")
        elif _holds_unacknowledged(answer, maybe.get(key)):
            check.saved_unacknowledged += 1
        else:
            check.corrupted += 1
            check.note(
                f"{key}: expected version {save['version']} ({len(save['text'])} chars), "
                f"stored version {answer.version} ({len(answer.text)} chars)"
            )
    for key, answer in answers.items():
        if key not in last:
            if _holds_unacknowledged(answer, maybe.get(key)):
                check.saved_unacknowledged += 1
            else:
                check.stray += 1
                check.note(f"{key}: stored version {answer.version}, never acknowledged")


def _holds_unacknowledged(answer, draft: dict | None) -> bool:
    return (
        draft is not None
        and answer.version == draft["base_version"] + 1
        and answer.text == draft["text"]
    )


def check_completions(ledger: dict, emails: list[str], check: Check) -> None:
    from course.models import Completion

    stored = set(
        Completion.objects.filter(user__email__in=emails).values_list("user__email", "lesson_id")
    )
    acknowledged = {(c["email"], c["lesson"]) for c in ledger["completions"]}
    check.completions = len(acknowledged)
    for key in sorted(acknowledged - stored):
        check.missing_completions += 1
        check.note(f"{key}: completion acknowledged, not stored")


def check_table(check: Check, tallies: dict) -> str:
    rows = [
        ("acknowledged saves", check.acknowledged),
        ("answers checked", check.answers),
        ("lost", check.lost),
        ("corrupted", check.corrupted),
        ("newest history version differs", check.history),
        ("acknowledged versions out of sequence", check.skipped),
        ("saves sent again after a failure", tallies.get("retries", 0)),
        ("409 conflicts", tallies.get("conflicts", 0)),
        ("of those, our text was stored but its answer lost", tallies.get("recovered", 0)),
        ("texts never acknowledged by the end", check.unsaved),
        ("texts in flight when locust stopped (either state is right)", check.unsettled),
        ("texts never acknowledged, stored anyway", check.saved_unacknowledged),
        ("stored answers the load never had acknowledged", check.stray),
        ("acknowledged completions", check.completions),
        ("completions missing", check.missing_completions),
    ]
    lines = ["| check | count |", "|---|---:|"]
    lines += [f"| {label} | {value:,} |" for label, value in rows]
    return "\n".join(lines)


# --- judging -----------------------------------------------------------------------------
@dataclass
class Run:
    """Everything one run produced, for the report and the verdict."""

    args: argparse.Namespace
    site: BenchSite
    load: Load
    scratch: Path
    ledger: dict
    check: Check
    timings: dict[str, float]

    def table(self, part: str) -> list[dict]:
        return read_rows(self.scratch / f"stats_final_{part}.csv")


def classify_failures(ledger: dict, load: Load) -> tuple[Counter, Counter]:
    """Failures inside the restart window (expected) and outside it, by kind."""
    inside: Counter = Counter()
    outside: Counter = Counter()
    restart = load.restart
    for failure in ledger["failures"]:
        in_window = (
            restart is not None
            and restart.stopping
            and restart.stopping - RESTART_SLACK
            <= failure["time"]
            <= (restart.serving or load.ended) + RESTART_SLACK
        )
        expected = in_window and failure["kind"] in EXPECTED_IN_RESTART
        (inside if expected else outside)[failure["kind"]] += 1
    return inside, outside


def problems(run: Run) -> list[str]:
    found = []
    check, restart = run.check, run.load.restart
    total = next((row for row in run.table("stats") if row["Name"] == "Aggregated"), None)
    if total is None or int(total["Request Count"]) == 0:
        found.append("locust sent no requests")
    if exceptions := run.table("exceptions"):
        found.append(f"{len(exceptions)} kinds of error inside the locust users (see locust.log)")
    _inside, outside = classify_failures(run.ledger, run.load)
    if outside:
        where = "outside the restart window" if restart else "under load"
        found.append(f"requests failed {where}: " + _kinds(outside))
    if restart and restart.error:
        found.append(f"the restart failed: {restart.error}")
    elif restart and not restart.serving:
        found.append("the restart did not happen before the load ended")
    for label, count in (
        ("lost saves", check.lost),
        ("corrupted saves", check.corrupted),
        ("history versions that differ", check.history),
        ("acknowledged versions out of sequence", check.skipped),
        ("texts never saved", check.unsaved),
        ("missing completions", check.missing_completions),
        ("unexplained conflicts", run.ledger["tallies"].get("unexplained_conflicts", 0)),
    ):
        if count:
            found.append(f"{count} {label}")
    return found


def _kinds(counter: Counter) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in counter.most_common())


def server_errors(site: BenchSite) -> list[str]:
    """What gunicorn and Django logged as errors (a 5xx answer's traceback goes there)."""
    log = site.workdir / "gunicorn.log"
    if not log.exists():
        return []
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line for line in lines if "ERROR" in line or line.startswith("Traceback")]


# --- reporting ---------------------------------------------------------------------------
def report(run: Run) -> str:
    args, site, load = run.args, run.site, run.load
    title = f"{site.database_label}, {args.users} users for {args.seconds} s"
    restart_note = ""
    if load.restart and load.restart.serving:
        r = load.restart
        inside, _outside = classify_failures(run.ledger, load)
        title += ", gunicorn restarted halfway"
        restart_note = (
            f"\n\ngunicorn restarted {r.stopping - load.started:.1f} s in: stopped gracefully "
            f"in {r.stopped - r.stopping:.1f} s, serving again {r.serving - r.stopped:.1f} s "
            f"later. Failures in that window (expected): {_kinds(inside) or 'none'}."
        )
    errors = server_errors(site)
    log_note = f"\n\nServer log: {len(errors)} error lines" + (
        ":\n\n```\n" + "\n".join(errors[:10]) + "\n```" if errors else "."
    )
    timing = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in run.timings.items())
    examples = "".join(f"\n- {example}" for example in run.check.examples)
    return f"""## Load test: {title}

gunicorn: {site.workers} sync workers on {site.base_url}; locust: {args.users} users, each
waiting 0.5 to 2 s between actions. Wall clock: {timing}.

{stats_table(run.table("stats"))}

{failures_table(run.table("failures"))}{restart_note}{log_note}

### No loss (read back from the database)

{check_table(run.check, run.ledger["tallies"])}{examples}"""


# --- the whole run -----------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--spawn-rate", type=float, default=0, help="default: users / 5 a second")
    parser.add_argument("--database-url", default="", help="default: a fresh SQLite file")
    parser.add_argument("--restart", action="store_true", help="restart gunicorn halfway")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()

    began = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="trellis-loadtest-"))
    site = BenchSite(scratch, database_url=args.database_url, port=args.port)
    print(f"Building the site ({site.database_label}) in {scratch}...", flush=True)
    site.prepare()
    emails = make_accounts(site, args.users)
    try:
        site.start()
        print(f"Signing {args.users} accounts in at {site.base_url}...", flush=True)
        plan = {"lessons": course_plan(), "accounts": sign_in_all(site, emails)}
        (scratch / "accounts.json").write_text(json.dumps(plan), encoding="utf-8")
        timings = {"setup": time.monotonic() - began}
        print(f"Load: {args.users} users for {args.seconds} s...", flush=True)
        load = run_locust(site, args, scratch)
        timings["load"] = load.ended - load.started
    finally:
        site.stop()

    ledger_path = scratch / "ledger.json"
    if not ledger_path.exists() or not (scratch / "stats_final_stats.csv").exists():
        print((scratch / "locust.log").read_text(errors="replace")[-3000:])
        print(f"locust wrote no ledger or statistics (exit {load.returncode}); see {scratch}")
        return 1
    print("Checking the database...", flush=True)
    ledger = json.loads(ledger_path.read_text(encoding="utf-8"))
    checked = time.monotonic()
    check = Check()
    check_saves(ledger, emails, check)
    check_completions(ledger, emails, check)
    timings["check"] = time.monotonic() - checked
    timings["total"] = time.monotonic() - began
    run = Run(args, site, load, scratch, ledger, check, timings)
    found = problems(run)
    print()
    print(report(run))
    print()
    print("Result: " + ("passed." if not found else "FAILED: " + "; ".join(found) + "."))
    if args.keep or found:
        print(f"Scratch folder kept: {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

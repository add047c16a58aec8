"""Locust users for the load test: spouses reading, finishing lessons and autosaving answers.

Not run by hand: bench/loadtest.py starts it (`make loadtest`) with
    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:PORT ...
and two environment variables:

- TRELLIS_LOAD_ACCOUNTS: a JSON file written by the driver: the course in order
  (lessons with their question slugs) and one signed-in account per user (the cookies
  the real sign-in form gave it, so password hashing is not part of the load);
- TRELLIS_LOAD_LEDGER: where to write, at the end, every save the server acknowledged.

Each user holds one account and walks the course from its first lesson. Autosave works
the way static/js/journal.js does: POST the text with the version the last 200 returned;
a save that fails (connection error, 5xx) keeps its text and is sent again, unchanged and
on the same base version, before any new writing. Every text is unique (account,
question, sequence number) and carries emoji, right-to-left text and markup characters;
some are a few KB. The driver then reads the database and checks every acknowledged save.

With DEBUG off the cookies are `__Host-` and Secure, which a cookie jar does not send over
plain HTTP, so each user writes its own Cookie header.
"""

from __future__ import annotations

import csv
import functools
import html
import itertools
import json
import os
import random
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from locust import HttpUser, between, events, task
from locust.exception import StopUser
from locust.stats import PERCENTILES_TO_REPORT, StatsCSV

ACCOUNTS_FILE = "TRELLIS_LOAD_ACCOUNTS"
LEDGER_FILE = "TRELLIS_LOAD_LEDGER"
LOOPBACK = "http://127.0.0.1:"
TIMEOUT = 30  # seconds; a request slower than this counts as failed
REVISIT = 0.2  # share of autosaves that go back to an earlier answer
LONG = 0.1  # share of autosaves that are a few KB long
RETRY_AFTER = 5  # seconds, as static/js/journal.js waits before sending a failed save again

# What every text carries besides its unique header: emoji (one a ZWJ sequence), Hebrew
# and Arabic, a combining accent, CJK, and characters that HTML and Markdown care about.
FLOURISH = (
    "We were honest today 💚 👩\u200d❤️\u200d👨 🕊️ — שלום, אהבה · مرحبا، ثقة · "
    "cafe\u0301 · 信頼 · <b>bold?</b> & &amp; \"quoted\" 'single' *stars* > quote"
)
PARAGRAPH = (
    "Tonight we talked about the small things first, then the harder one. "
    "אני מקשיב · أنا أستمع · 🤝 I listened without defending, and it helped. "
)


@dataclass
class Ledger:
    """What the server acknowledged, plus the tallies the driver reports."""

    saves: list[dict] = field(default_factory=list)
    completions: list[dict] = field(default_factory=list)
    failures: list[dict] = field(default_factory=list)
    tallies: dict[str, int] = field(default_factory=dict)

    def count(self, name: str) -> None:
        self.tallies[name] = self.tallies.get(name, 0) + 1


LEDGER = Ledger()
STOPPING = {"now": False}  # set as the run ends, before any user is asked to stop
USERS: list[Spouse] = []
_next_account = itertools.count()


@functools.cache
def plan() -> dict:
    """The driver's file, read once per process and shared by every user."""
    with open(os.environ[ACCOUNTS_FILE], encoding="utf-8") as file:
        return json.load(file)


@dataclass
class Draft:
    """One answer being written: the version the server last confirmed, and the text
    waiting to be saved (kept after a failure, as the browser keeps it)."""

    prompt: str
    version: int = 0
    pending: str | None = None


def action(weight: int):
    """A task that starts no new request once the run is ending, and that first sends a
    failed save again once RETRY_AFTER has passed, as journal.js's timer does whatever
    else the writer is doing.

    (locust stops a waiting user by killing it, and a user whose wait ends at that moment
    could otherwise be killed half-way through its request, leaving a save neither
    acknowledged nor failed.)"""

    def wrap(method):
        @functools.wraps(method)
        def run(self) -> None:
            if STOPPING["now"]:
                raise StopUser()
            if self.retrying is not None and time.monotonic() - self.failed_at >= RETRY_AFTER:
                self.retry()
                return
            method(self)

        return task(weight)(run)

    return wrap


def compose(email: str, prompt: str, sequence: int, rng: random.Random) -> str:
    head = f"{email} · {prompt} · save {sequence}\n"
    if rng.random() < LONG:
        count = rng.randint(15, 45)  # about 2 to 7 KB
        body = "\n\n".join(f"{sequence}.{n} {PARAGRAPH}" for n in range(count))
    else:
        body = f"{FLOURISH} #{sequence}"
    return head + body + ("\n" if sequence % 5 == 0 else "")


def connection_error(error: Exception) -> str:
    """A short, stable name for what went wrong with the connection (locust groups
    failures by their message, so the URL and addresses must stay out of it)."""
    text = repr(error)
    for clue, name in (
        ("Connection refused", "connection refused"),
        ("RemoteDisconnected", "connection closed without an answer"),
        ("Connection reset", "connection reset"),
        ("Read timed out", "timed out"),
        ("ConnectTimeout", "timed out connecting"),
    ):
        if clue in text:
            return name
    return f"connection error: {type(error).__name__}"


class Spouse(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        if not (self.host or "").startswith(LOOPBACK):
            raise StopUser(f"refusing to load {self.host!r}: only {LOOPBACK}PORT")
        accounts = plan()["accounts"]
        number = next(_next_account)
        if number >= len(accounts):
            raise StopUser(f"only {len(accounts)} accounts for user {number + 1}")
        account = accounts[number]
        self.email: str = account["email"]
        self.cookies: dict[str, str] = dict(account["cookies"])
        self.lessons: list[dict] = plan()["lessons"]
        self.position = 0  # index of the lesson this spouse is on
        self.drafts: dict[str, Draft] = {}
        self.retrying: Draft | None = None  # a save that failed and must be sent again
        self.failed_at = 0.0
        self.in_flight: tuple[Draft, str] | None = None
        self.sequence = 0
        self.rng = random.Random(number)  # noqa: S311 (test text, not secrets)
        USERS.append(self)

    # --- talking to the site -----------------------------------------------------
    @property
    def csrf_token(self) -> str:
        return next(value for name, value in self.cookies.items() if name.endswith("csrftoken"))

    def send(self, method: str, path: str, name: str, **kwargs):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        headers.update(kwargs.pop("headers", {}))
        return self.client.request(
            method,
            path,
            name=name,
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
            catch_response=True,
            **kwargs,
        )

    def keep_cookies(self, response) -> None:
        """What a browser would do with Set-Cookie, Secure or not."""
        raw = getattr(response, "raw", None)
        for header in raw.headers.getlist("Set-Cookie") if raw is not None else []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    def settle(self, response, expected: int, name: str) -> bool:
        """Mark the request in locust's statistics; True if it answered `expected`."""
        self.keep_cookies(response)
        status = response.status_code
        if status == expected:
            response.success()
            return True
        if status == 0:
            self.fail(response, name, "connection", connection_error(response.error))
        elif status >= 500:
            self.fail(response, name, "server", f"HTTP {status}")
        else:
            self.fail(response, name, "unexpected", f"HTTP {status}, expected {expected}")
        return False

    def fail(self, response, name: str, kind: str, reason: str) -> None:
        """A failed request, in locust's statistics and in the ledger (with its time, so
        the driver can tell failures during a restart from the others)."""
        LEDGER.count(kind)
        LEDGER.failures.append({"time": time.time(), "kind": kind, "name": name, "error": reason})
        response.failure(reason)

    def get_page(self, path: str, name: str) -> bool:
        with self.send("GET", path, name) as response:
            return self.settle(response, 200, name)

    # --- what a spouse does ------------------------------------------------------
    @property
    def lesson(self) -> dict:
        return self.lessons[min(self.position, len(self.lessons) - 1)]

    @action(2)
    def outline(self) -> None:
        self.get_page("/course/", "/course/")

    @action(5)
    def read_lesson(self) -> None:
        self.get_page(f"/course/{self.lesson['slug']}/", "/course/[lesson]/")

    @action(2)
    def home(self) -> None:
        self.get_page("/", "/")

    @action(1)
    def journal(self) -> None:
        self.get_page("/journal/", "/journal/")

    @action(1)
    def complete(self) -> None:
        if self.position >= len(self.lessons):
            return  # finished the course
        slug = self.lesson["slug"]
        after = self.position + 1
        target = (
            f"/course/{self.lessons[after]['slug']}/" if after < len(self.lessons) else "/course/"
        )
        name = "/course/[lesson]/complete/"
        form = {"csrfmiddlewaretoken": self.csrf_token}
        with self.send("POST", f"/course/{slug}/complete/", name, data=form) as response:
            if not self.settle(response, 302, name):
                return
            if (location := response.headers.get("Location")) != target:
                self.fail(response, name, "unexpected", f"redirected to {location}, not {target}")
                return
        LEDGER.completions.append({"email": self.email, "lesson": slug})
        self.position = after
        self.get_page(target, "/course/[lesson]/")  # the browser follows the redirect

    @action(6)
    def autosave(self) -> None:
        if self.retrying is not None:
            self.retry()  # typing again sends the waiting text at once
            return
        draft = self.choose_draft()
        self.sequence += 1
        draft.pending = compose(self.email, draft.prompt, self.sequence, self.rng)
        self.save(draft)

    def retry(self) -> None:
        LEDGER.count("retries")
        self.save(self.retrying)

    def choose_draft(self) -> Draft:
        """Mostly a question of the lesson this spouse is on; sometimes an earlier answer."""
        earlier = [d for d in self.drafts.values() if d.version > 0]
        prompts = self.lesson["prompts"] or self.lessons[0]["prompts"]
        if earlier and self.rng.random() < REVISIT:
            return self.rng.choice(earlier)
        prompt = self.rng.choice(prompts)
        return self.drafts.setdefault(prompt, Draft(prompt))

    def save(self, draft: Draft) -> None:
        text = draft.pending
        name = "/journal/[prompt]/ (autosave)"
        form = {"csrfmiddlewaretoken": self.csrf_token, "text": text, "base_version": draft.version}
        headers = {"Accept": "application/json"}
        self.in_flight = (draft, text)
        with self.send(
            "POST", f"/journal/{draft.prompt}/", name, data=form, headers=headers
        ) as response:
            self.in_flight = None
            if response.status_code == 409:
                response.success()  # judged below, by what the server holds
                self.retrying = draft  # until then the text still waits to be saved
                self.failed_at = time.monotonic()
                conflict = True
            else:
                conflict = False
                saved = self.settle(response, 200, name)
                if saved:
                    self.acknowledge(draft, text, response.json()["version"])
                elif response.status_code == 0 or response.status_code >= 500:
                    self.retrying = draft  # keep the text; send it again, unchanged
                    self.failed_at = time.monotonic()
                else:
                    draft.pending = None  # refused outright: retrying cannot help
                    self.retrying = None
        if conflict:
            self.resolve_conflict(draft, text)

    def acknowledge(self, draft: Draft, text: str, version: int, recovered: bool = False) -> None:
        if version != draft.version + 1:
            LEDGER.count("version_skips")
        LEDGER.saves.append(
            {
                "email": self.email,
                "prompt": draft.prompt,
                "version": version,
                "text": text,
                "recovered": recovered,
            }
        )
        draft.version = version
        draft.pending = None
        self.retrying = None

    def resolve_conflict(self, draft: Draft, text: str) -> None:
        """409: nobody else writes this answer, so the only honest cause is an earlier try
        that the server saved but whose answer never arrived. Read the answer to see."""
        LEDGER.count("conflicts")
        name = "/journal/[prompt]/ (after a conflict)"
        with self.send("GET", f"/journal/{draft.prompt}/", name) as response:
            if not self.settle(response, 200, name):
                return  # still pending: the next autosave sends it again
            version = re.search(r'name="base_version" value="(\d+)"', response.text)
            stored = re.search(
                r'<textarea name="text"[^>]*>\n(.*?)</textarea>', response.text, re.S
            )
            if version and stored and html.unescape(stored[1]) == text:
                LEDGER.count("recovered")
                self.acknowledge(draft, text, int(version[1]), recovered=True)
                return
            LEDGER.count("unexplained_conflicts")
            self.fail(response, name, "unexpected", "409, and the stored text is not ours")
            draft.version = int(version[1]) if version else draft.version
            draft.pending = None
            self.retrying = None


@events.test_stopping.add_listener
def stopping(**_kwargs) -> None:
    STOPPING["now"] = True


@events.quitting.add_listener
def write_ledger(environment, **_kwargs) -> None:
    path = os.environ.get(LEDGER_FILE)
    if not path:
        return
    unsaved = []
    unsettled = []
    for user in USERS:
        if user.retrying is not None:
            unsaved.append(_draft_row(user, user.retrying, user.retrying.pending))
        if user.in_flight is not None:
            unsettled.append(_draft_row(user, *user.in_flight))
    with open(path, "w", encoding="utf-8") as file:
        json.dump(
            {
                "saves": LEDGER.saves,
                "completions": LEDGER.completions,
                "failures": LEDGER.failures,
                "tallies": LEDGER.tallies,
                "unsaved": unsaved,
                "unsettled": unsettled,
                "users": len(USERS),
            },
            file,
            ensure_ascii=False,
        )


def _draft_row(user: Spouse, draft: Draft, text: str | None) -> dict:
    return {
        "email": user.email,
        "prompt": draft.prompt,
        "base_version": draft.version,
        "text": text,
    }


@events.quitting.add_listener
def write_final_stats(environment, **_kwargs) -> None:
    """locust's --csv files are rewritten once a second, so the last second and the users'
    last tasks can be missing; these are the same tables, written once every user stopped."""
    prefix = getattr(environment.parsed_options, "csv_prefix", None)
    if not prefix:
        return
    tables = StatsCSV(environment, PERCENTILES_TO_REPORT)
    for part, write in (
        ("stats", tables.requests_csv),
        ("failures", tables.failures_csv),
        ("exceptions", tables.exceptions_csv),
    ):
        with open(f"{prefix}_final_{part}.csv", "w", newline="", encoding="utf-8") as file:
            write(csv.writer(file))

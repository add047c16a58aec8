"""Fixtures shared by the whole suite.

Personas, as in the house style: alice and bob are a couple (linked once the couple
feature exists), carol is a stranger to them both. Browser tests drive the system's
Chromium through Playwright and check every page they visit with axe-core.
"""

import functools
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "a long shared test passphrase"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def chromium_path() -> str:
    found = (
        os.environ.get("CHROMIUM_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )
    if not found:
        pytest.exit("Chromium is missing: run `make chromium` or set CHROMIUM_PATH.", returncode=3)
    return found


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": chromium_path(),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "UTC"}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sync_content() -> None:
    call_command("sync_content", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(scope="session")
def synced_course(django_db_setup, django_db_blocker):
    """The rows `sync_content` makes from content/, synced once per test session.

    Rendering the lessons' Markdown is most of a sync's cost, and some 200 tests ask for
    the content: syncing in each of them took about a fifth of the suite's CPU time. So
    the `content` fixture copies these rows into each test instead of syncing again.
    This sync runs in a transaction that is rolled back: every test still starts from an
    empty database, as before."""
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        sync_content()
        rows = {model: list(model.objects.order_by("pk").values()) for model in course_models()}
        transaction.set_rollback(True)
    return settings.CONTENT_DIR, rows


def course_models():
    """What sync_content writes, each model after the ones it points at."""
    from course.models import ContentRevision, Lesson, Prompt, Stage

    return (ContentRevision, Stage, Lesson, Prompt)


def load_course_rows(rows) -> None:
    """Write the synced rows again with new primary keys (as a sync would make them),
    pointing each lesson and prompt at its new stage and lesson; the revision gets a new
    token, as every sync that changes the course does, so no worker's copy is reused."""
    from uuid import uuid4

    from course.models import ContentRevision, Lesson, Stage

    new_pks: dict[str, dict[int, int]] = {"stage_id": {}, "lesson_id": {}}
    for model in course_models():
        made = []
        for row in rows[model]:
            values = {name: value for name, value in row.items() if name != "id"}
            for name in new_pks.keys() & values.keys():
                values[name] = new_pks[name][values[name]]
            if model is ContentRevision:
                values["token"] = uuid4().hex
            made.append(model(**values))
        model.objects.bulk_create(made)
        if model in (Stage, Lesson):
            key = "stage_id" if model is Stage else "lesson_id"
            new_pks[key] = {
                row["id"]: row_made.pk for row, row_made in zip(rows[model], made, strict=True)
            }


@pytest.fixture
def content(db, synced_course, settings):
    """The real lessons from content/, mirrored into the test database: the rows of the
    session's one sync (see `synced_course`), or a sync of its own if this test's
    CONTENT_DIR is not the one the session synced."""
    from course.models import Lesson

    synced_dir, rows = synced_course
    if synced_dir != settings.CONTENT_DIR or Lesson.objects.exists():
        sync_content()
    else:
        load_course_rows(rows)


def make_person(name: str, email: str | None = None):
    from accounts.models import User

    email = email or f"{name.lower()}@example.com"
    user = User.objects.create_user(email=email, password=PASSWORD, display_name=name)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
    return user


@pytest.fixture
def alice(db):
    return make_person("Alice")


@pytest.fixture
def bob(db):
    return make_person("Bob")


@pytest.fixture
def carol(db):
    return make_person("Carol")


@functools.cache
def axe_source() -> str:
    """axe-core's script, read from node_modules once per test process."""
    return AXE_JS.read_text(encoding="utf-8") + "\n;true"


def assert_accessible(page) -> None:
    """Fail with a readable list if axe-core finds any WCAG 2.2 AA violation.

    axe runs every rule of WCAG_TAGS on the whole page, as before; only its violations
    come back to Python. The full result (passes and inapplicable rules, each with its
    nodes' HTML) is some 300 kB of JSON per page, and carrying it over the DevTools
    protocol took about two thirds of each check: 0.9-1.3 s against 0.3-0.5 s for the
    violations alone, on /journal/ (measured; the same violations, byte for byte, on a
    page broken on purpose)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: our CSP (rightly) refuses an inline
        # <script>, so add_script_tag would be blocked.
        page.evaluate(axe_source())
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations",
        WCAG_TAGS,
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    ]
    assert not problems, f"axe found problems on {page.url}:\n" + "\n".join(problems)


def sign_in(page, live_server, email: str, password: str = PASSWORD) -> None:
    """Sign in and land on the home page, as the sign-in form does.

    A fresh tab in a fresh browser (nothing loaded, no cookies) signs in through allauth's
    own sign-in view from Django's test client, with this browser's user agent, and takes
    every cookie that answer sets: the browser then holds what the form would have given
    it (session, CSRF token, any message), and nothing it held before can notice the
    difference. The form costs a page load more: 0.7-1.4 s a sign-in against 0.35-0.95 s
    this way (eight of each, fresh contexts, measured on a busy machine), in some 70
    first sign-ins a run. Any other tab signs in through the form, so a test that signs
    in again mid-way still drives what a person does; tests of the form itself drive it."""
    if page.url == "about:blank" and not page.context.cookies():
        sign_in_from_outside(page, live_server, email, password)
        return
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")


def sign_in_from_outside(page, live_server, email: str, password: str) -> None:
    from django.test import Client

    client = Client(HTTP_USER_AGENT=page.evaluate("navigator.userAgent"))
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, (response.status_code, response.content[-500:])
    assert response.url == "/", response.url
    cookies = []
    for name, morsel in client.cookies.items():
        if not morsel.value:  # an empty value is a cookie deleted
            continue
        cookie = {"name": name, "value": morsel.value, "url": live_server.url}
        cookie["httpOnly"] = bool(morsel["httponly"])
        if morsel["samesite"]:
            cookie["sameSite"] = morsel["samesite"].capitalize()
        if morsel["max-age"] != "":
            cookie["expires"] = time.time() + int(morsel["max-age"])
        cookies.append(cookie)
    page.context.add_cookies(cookies)
    page.goto(f"{live_server.url}/")


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request):
    """Rate limits are counted in the database cache table, which the flush after a
    browser test leaves alone: without this, sign-ins from earlier tests on the same
    worker (some 30 a minute once sign-in got faster) could meet allauth's limit."""
    if "live_server" in request.fixturenames:
        from django.core.cache import cache

        request.getfixturevalue("live_server")
        cache.clear()


@pytest.fixture
def page(page):
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def two_browsers(browser):
    """Two separate browser contexts (no shared cookies): one for alice, one for bob."""
    contexts = [browser.new_context(), browser.new_context()]
    pages = [context.new_page() for context in contexts]
    for each in pages:
        each.set_default_timeout(10_000)
    yield pages
    for context in contexts:
        context.close()


# The quick-exit target in browser tests: answered locally, never fetched.
NEUTRAL = "https://neutral.example/"


@pytest.fixture
def neutral_site(page, settings):
    """The quick-exit target, answered locally so no request leaves this machine."""
    settings.QUICK_EXIT_URL = NEUTRAL
    page.route(
        re.compile(r"https://neutral\.example/.*"),
        lambda route: route.fulfill(
            status=200, content_type="text/html", body="<title>Weather</title><h1>Weather</h1>"
        ),
    )
    return page


def fill_sign_up(page, name: str, email: str, password: str) -> None:
    """Fill and send the sign-up form the page is on."""
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password (again)").fill(password)
    page.get_by_role("button", name="Create account").click()


def confirm_email(page, mailoutbox, email: str) -> None:
    """Open the confirmation link sent to `email` and confirm, as a new spouse does after
    signing up (every sign-up is asked to, so that sign-up never says who has an account)."""
    import re

    page.get_by_role("heading", name="Check your email").wait_for()
    sent = [message for message in mailoutbox if email in message.to][-1]
    page.goto(re.search(r"http://\S+/accounts/confirm-email/\S+", sent.body).group(0))
    page.get_by_role("button", name="Confirm my address").click()

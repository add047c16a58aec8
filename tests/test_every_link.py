"""Every page answers: as each persona, follow every link and every form on every page
that persona can reach, breadth first, and no address answers with a server error.

The matrix in test_permissions.py covers the project's own URL patterns with fixed
parameters; this walk also reaches allauth's pages (sessions, two-factor, email) and
every link our templates build, with the values they really put in them.

Links are followed with GET. A form's action is fetched with GET too (its page, or a
405): posting every form a spouse can see would sign out, unlink and delete the
account half-way through the walk. State-changing POSTs are the matrix's job.
"""

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import timezone

from course.checkins import record_checkin
from course.commitments import make_commitment
from course.models import SIGN_KEYS, Answer
from tests.factories import answer, lesson_slugs, link, prompt_slugs, signed_in

HOST = "testserver"
START = ["/", "/course/", "/accounts/login/", "/accounts/signup/"]
# Enough for every kind of page without reading all 40 lessons and their questions.
PER_VIEW = 4
MOST_REQUESTS = 600


class Links(HTMLParser):
    """The targets of `a[href]` and the actions of every form on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])
        elif tag == "form":
            # No action (or an empty one) means the page's own address.
            self.forms.append(found.get("action") or "")


def same_site_path(base: str, href: str) -> str | None:
    """The path and query of `href` seen from `base`, or None for another origin."""
    target = urlsplit(urljoin(f"http://{HOST}{base}", href))
    if target.scheme not in ("http", "https") or target.netloc != HOST:
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def view_name(path: str) -> str:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return f"unresolved:{path}"


def walk(browser: Client) -> dict[str, int]:
    """GET every same-site address reachable from START; {path: status}."""
    seen: dict[str, int] = {}
    per_view: dict[str, int] = {}
    queue = deque((path, "start") for path in START)
    while queue and len(seen) < MOST_REQUESTS:
        path, found_on = queue.popleft()
        if path in seen:
            continue
        name = view_name(path)
        if per_view.get(name, 0) >= PER_VIEW:
            continue
        per_view[name] = per_view.get(name, 0) + 1
        response = browser.get(path)
        seen[path] = response.status_code
        assert response.status_code < 500, f"GET {path} (linked from {found_on}) answered 500"
        if response.status_code in (301, 302) and "Location" in response:
            target = same_site_path(path, response["Location"])
            if target:
                queue.append((target, path))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in [*parser.links, *parser.forms]:
            target = same_site_path(path, href)
            if target and target not in seen:
                queue.append((target, path))
    return seen


@pytest.fixture
def couple_with_everything(alice, bob, carol, content):
    """alice and bob linked, with answers (private and shared), check-ins and commitments,
    so that every page has something to link to."""
    link(alice, bob)
    lesson = lesson_slugs("honesty")[0]
    first, second = prompt_slugs(lesson)[:2]
    for person in (alice, bob):
        answer(person, first, f"{person.display_name}'s private answer")
        shared = answer(person, second, f"{person.display_name}'s shared answer")
        Answer.objects.filter(pk=shared.pk).update(sharing="shared")
        record_checkin(
            author=person,
            taken_on=timezone.localdate(),
            self_scores=dict.fromkeys(SIGN_KEYS, 4),
            note="a quiet week",
            shared=True,
        )
        make_commitment(author=person, text="Home by six", due_on=timezone.localdate(), shared=True)
    return {"alice": alice, "bob": bob, "carol": carol}


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "anonymous"])
def test_no_link_or_form_on_any_reachable_page_is_a_server_error(couple_with_everything, persona):
    cache.clear()
    # Signed in and past the password check, so exports and the pages behind it open.
    people = couple_with_everything
    browser = Client() if persona == "anonymous" else signed_in(people[persona])

    seen = walk(browser)

    reached = {view_name(path) for path in seen}
    assert "account_login" in reached
    if persona != "anonymous":
        # The walk really went through the signed-in site, allauth's pages included.
        for name in ("journal:index", "us:index", "usersessions_list", "mfa_index"):
            assert name in reached, f"{persona} never reached {name}"

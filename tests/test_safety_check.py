"""The private safety check at /safety-check/: it keeps nothing, tells nobody, and never
blocks the way on. Personas: alice and bob are a couple, carol a stranger, and a visitor
who is only thinking about Trellis."""

import logging
import re

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import Client, RequestFactory
from django.views.debug import SafeExceptionReporterFilter

from accounts.links import partner_of
from accounts.models import AuditEvent, Notice
from accounts.services import create_invitation
from course.views.safety import safety_check
from tests.conftest import make_person
from tests.factories import complete, lesson_slugs, link, signed_in

URL = "/safety-check/"
SAFETY_URL = f"/course/{settings.SAFETY_LESSON}/"
HELPLINES = f"{SAFETY_URL}#where-to-turn"
WORRYING = ("afraid", "threatened", "pressured_sex", "controlled", "self_harm")
EVERY_BOX = dict.fromkeys((*WORRYING, "recent_discovery", "ongoing_affair"), "on")
DONT_LINK = "please don\u2019t link your accounts or share your answers"
HELP_FIRST = "Get professional help first"
CRISIS = "If you are thinking of hurting yourself"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def every_row() -> dict[str, list]:
    """Every row of every table in the database, sessions and cache included."""
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        found = {}
        for table in tables:
            name = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {name}")  # noqa: S608 (names from introspection)
            found[table] = sorted(map(repr, cursor.fetchall()))
    return found


def session_keys(browser: Client) -> set[str]:
    """The keys in this browser's session; none if it has no session (reading
    `Client.session` would make one)."""
    if settings.SESSION_COOKIE_NAME not in browser.cookies:
        return set()
    return set(browser.session.keys())


def test_the_check_opens_for_visitors_and_for_spouses(alice, content):
    for browser in (Client(), signed_in(alice)):
        response = browser.get(URL)
        assert response.status_code == 200
        text = text_of(response)
        assert "A short, private check" in text
        # Answers go only in a POST body, never in a URL.
        assert re.search(r'<form method="post" action="/safety-check/"[^>]*>', text)


@pytest.mark.parametrize("who", ["visitor", "alice"])
def test_the_answers_are_stored_nowhere(who, alice, bob, content):
    link(alice, bob)
    browser = Client() if who == "visitor" else signed_in(alice)
    assert browser.get(URL).status_code == 200
    keys_before = session_keys(browser)
    before = every_row()

    response = browser.post(URL, EVERY_BOX)

    assert response.status_code == 200
    assert CRISIS in text_of(response)
    after = every_row()
    assert {t: len(rows) for t, rows in after.items()} == {
        t: len(rows) for t, rows in before.items()
    }
    assert after == before
    assert session_keys(browser) == keys_before
    if who == "visitor":
        assert settings.SESSION_COOKIE_NAME not in browser.cookies


def test_the_answers_reach_no_log(alice, content, caplog):
    browser = signed_in(alice)
    caplog.set_level(logging.INFO)
    response = browser.post(URL, EVERY_BOX)
    assert response.status_code == 200
    assert caplog.records == []


def test_nobody_is_told(alice, bob, content, mailoutbox, django_capture_on_commit_callbacks):
    link(alice, bob)
    # alice would hear by email of anything bob did that reaches her.
    alice.notify_by_email = True
    alice.save(update_fields=["notify_by_email"])
    browser = signed_in(bob)
    mailoutbox.clear()
    notices, events = Notice.objects.count(), AuditEvent.objects.count()
    # Email goes out once the request commits: run what would run then.
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(URL, EVERY_BOX)
    assert response.status_code == 200
    assert mailoutbox == []
    assert Notice.objects.count() == notices
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("answer", WORRYING)
def test_a_worrying_answer_shows_help_and_advises_against_linking(answer, content):
    response = Client().post(URL, {answer: "on", "next": "/us/"})
    assert response.status_code == 200
    text = text_of(response)
    assert f'href="{SAFETY_URL}"' in text
    assert f'href="{HELPLINES}"' in text
    assert "counselor on your own" in text
    assert DONT_LINK in text
    # Advice, never a wall: the way on is still there.
    assert '<a class="button button-quiet" href="/us/">Go on to linking your accounts</a>' in text


def test_thoughts_of_self_harm_bring_the_crisis_lines_first(content):
    response = Client().post(URL, {"self_harm": "on"})
    assert response.status_code == 200
    text = text_of(response)
    assert CRISIS in text
    assert "Please reach someone now." in text
    crisis = text.index(CRISIS)
    assert text.index(f'href="{HELPLINES}"') > crisis
    assert crisis < text.index("What we suggest instead") < text.index(HELP_FIRST)


@pytest.mark.parametrize("answer", ["recent_discovery", "ongoing_affair"])
def test_a_raw_or_ongoing_affair_brings_get_professional_help_first(answer, content):
    response = Client().post(URL, {answer: "on"})
    assert response.status_code == 200
    text = text_of(response)
    assert HELP_FIRST in text
    assert "counselor trained in affair recovery" in text
    assert "Your doctor" in text
    assert f'href="{SAFETY_URL}"' in text
    # Not a sign of danger at home: no advice against linking, no crisis lines.
    assert DONT_LINK not in text
    assert CRISIS not in text


def test_no_worrying_answer_shows_the_way_on_and_no_alarm(content):
    response = Client().post(URL, {"next": "/us/"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Nothing you ticked means you need to stop here." in text
    assert '<a class="button" href="/us/">Go on to linking your accounts</a>' in text
    for panel in (CRISIS, HELP_FIRST, DONT_LINK):
        assert panel not in text


def test_answers_in_a_url_are_not_read(content):
    response = Client().get(URL, {"self_harm": "on", "afraid": "on"})
    assert response.status_code == 200
    text = text_of(response)
    assert CRISIS not in text
    assert DONT_LINK not in text
    assert "checked" not in text


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("who", ["visitor", "alice"])
def test_no_copy_is_kept_by_a_browser_or_proxy(method, who, alice, content):
    browser = Client() if who == "visitor" else signed_in(alice)
    response = getattr(browser, method)(URL, EVERY_BOX if method == "post" else {})
    assert response.status_code == 200
    directives = {part.strip() for part in response.headers["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= directives


def test_skipping_leads_straight_back(content):
    lesson = lesson_slugs("safety")[0]
    response = Client().get(URL, {"next": f"/course/{lesson}/"})
    assert response.status_code == 200
    assert f'href="/course/{lesson}/">Skip the check</a>' in text_of(response)


@pytest.mark.parametrize(
    "next_url",
    [
        "https://elsewhere.example/",
        "//elsewhere.example/us/",
        "/journal/",
        "/no-such-page/",
        "javascript:alert(1)",
        "/us/" + "x" * 5000,
    ],
)
def test_the_way_on_never_leads_outside_the_pages_that_offer_it(next_url, content):
    offered = Client().get(URL, {"next": next_url})
    assert offered.status_code == 200
    assert 'href="/course/">Skip the check</a>' in text_of(offered)
    assert 'name="next" value="/course/"' in text_of(offered)
    answered = Client().post(URL, {"next": next_url, "afraid": "on"})
    assert answered.status_code == 200
    assert 'href="/course/">Go on to the course</a>' in text_of(answered)
    for response in (offered, answered):
        assert "elsewhere" not in text_of(response)
        assert "javascript:" not in text_of(response)


def test_strange_answers_are_read_calmly(content):
    response = Client().post(URL, {"afraid": "<script>", "next": ["/us/", "/x/"], "other": "1"})
    assert response.status_code == 200
    assert DONT_LINK in text_of(response)
    assert "<script>" not in text_of(response)


def test_the_check_is_offered_before_linking(alice, carol, content):
    us = signed_in(alice).get("/us/")
    assert us.status_code == 200
    assert f'href="{URL}?next=/us/"' in text_of(us)

    token = create_invitation(inviter=alice).token
    for browser in (Client(), signed_in(carol)):
        join = browser.get(f"/us/join/{token}/")
        assert join.status_code == 200
        assert f'href="{URL}?next=/us/join/{token}/"' in text_of(join)
    assert partner_of(carol) is None


def test_the_check_is_offered_at_the_start_of_each_stage(alice, content):
    browser = signed_in(alice)
    for stage in ("honesty", "safety", "trust"):
        first, second = lesson_slugs(stage)[:2]
        response = browser.get(f"/course/{first}/")
        assert response.status_code == 200, first
        assert f'href="{URL}?next=/course/{first}/"' in text_of(response), first
        later = browser.get(f"/course/{second}/")
        assert later.status_code == 200, second
        assert URL not in text_of(later), second
        # The next stage opens once this one is finished.
        complete(alice, *lesson_slugs(stage))


def test_the_helplines_we_link_to_are_where_we_say(content):
    response = Client().get(SAFETY_URL)
    assert response.status_code == 200
    assert 'id="where-to-turn"' in response.content.decode()


def test_an_error_report_would_hide_the_answers(content):
    """Should the page ever fail, Django's error report (mailed or logged) shows the
    POST only as stars."""
    request = RequestFactory().post(URL, EVERY_BOX)
    request.user = AnonymousUser()
    assert safety_check(request).status_code == 200
    shown = SafeExceptionReporterFilter().get_post_parameters(request)
    assert set(shown) == set(EVERY_BOX)
    assert all(set(value) == {"*"} for value in shown.values())


def test_a_linked_spouse_with_a_worrying_answer_is_shown_how_to_step_back(alice, bob, content):
    """Advice not to link means little to someone already linked: they are shown how to
    make answers private or end the link, and told plainly that ending it is noticed."""
    link(alice, bob)
    response = signed_in(bob).post(URL, {WORRYING[0]: "on"})
    assert response.status_code == 200
    text = text_of(response)
    assert 'href="/us/unlink/"' in text
    assert "your spouse will see a short notice" in text

    unlinked = signed_in(make_person("Gina")).post(URL, {WORRYING[0]: "on"})
    assert 'href="/us/unlink/"' not in text_of(unlinked)


def test_the_form_asks_the_browser_not_to_restore_the_boxes(content):
    """Back after the result must not show the boxes ticked to the next person."""
    response = Client().get(URL)
    assert response.status_code == 200
    assert 'autocomplete="off"' in text_of(response)

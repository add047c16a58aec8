"""No word lost, and the page shows what is stored: autosave with a session that runs
out, quick exit and sign-out mid-typing, the sharing choice, two tabs, two people on one
browser. Real Chromium; alice and bob are a couple."""

import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError
from playwright.sync_api import expect

from course.models import Answer, Lesson
from tests.conftest import NEUTRAL, PASSWORD, assert_accessible, sign_in
from tests.factories import answer as answer_as
from tests.factories import link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def first_lesson(content):
    return Lesson.objects.filter(stage__slug="honesty").order_by("order").first()


class AnswerOnPage:
    """The first question of a lesson, as the writer sees it on `page`."""

    def __init__(self, page, lesson):
        self.prompt = lesson.prompts.order_by("order").first()
        self.page = page
        self.block = page.locator(f"#prompt-{self.prompt.slug}")
        self.box = self.block.locator("textarea")
        self.status = self.block.locator("[data-save-status]")
        self.who_can_read = self.block.locator("[data-who-can-read]")

    def choose(self, label: str) -> None:
        self.block.get_by_label(re.compile(label)).check()


def open_lesson(page, live_server, lesson) -> AnswerOnPage:
    page.goto(live_server.url + lesson.get_absolute_url())
    return AnswerOnPage(page, lesson)


def stored(author) -> Answer | None:
    return Answer.objects.filter(author=author).first()


def wait_for_text(author, text: str, seconds: float = 5.0) -> Answer:
    """The server may still be handling a request the page sent as it left (the test
    database is shared in memory, so a read during that write may find it locked)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            answer = stored(author)
        except OperationalError:
            answer = None
        if answer is not None and answer.text == text:
            return answer
        time.sleep(0.05)
    raise AssertionError(f"never saved: {text!r}; stored: {stored(author)!r}")


def drafts(page) -> list[str]:
    return page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('trellis-draft:'))")


def test_an_expired_session_keeps_every_word_and_saves_them_after_signing_in(
    page, live_server, alice, first_lesson
):
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    answer.box.fill("What I wrote before the break.")
    expect(answer.status).to_have_text(re.compile(r"Saved at \d\d:\d\d"))

    Session.objects.all().delete()  # the idle timeout ran out while she was thinking
    answer.box.press_sequentially(" And every word after it.")

    expect(answer.status).to_contain_text("signed out")
    expect(answer.status).to_contain_text("kept in this browser")
    assert_accessible(page)
    assert stored(alice).text == "What I wrote before the break."
    assert drafts(page) == [f"trellis-draft:{alice.pk}:{answer.prompt.slug}"]

    answer.status.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(re.escape(first_lesson.get_absolute_url())))

    answer = AnswerOnPage(page, first_lesson)
    page.get_by_role("button", name="Bring back my unsaved text").click()
    expect(answer.box).to_have_value("What I wrote before the break. And every word after it.")
    expect(answer.status).to_have_text(re.compile("Saved at"))
    assert stored(alice).text == "What I wrote before the break. And every word after it."
    assert drafts(page) == []


def test_after_signing_in_again_in_another_tab_the_first_tab_saves_by_itself(
    page, live_server, alice, first_lesson
):
    sign_in(page, live_server, alice.email)
    page.clock.install()
    answer = open_lesson(page, live_server, first_lesson)
    Session.objects.all().delete()
    answer.box.fill("Written after the session ran out.")
    page.clock.run_for(1500)
    expect(answer.status).to_contain_text("signed out")

    other = page.context.new_page()
    sign_in(other, live_server, alice.email)  # a new CSRF token comes with the new session
    page.clock.run_for(20_000)  # she comes back to the first tab a little later

    expect(answer.status).to_have_text(re.compile("Saved at"))
    assert stored(alice).text == "Written after the session ran out."
    assert drafts(page) == []


def test_a_draft_left_by_an_expired_session_is_offered_to_its_writer_only(
    page, live_server, alice, bob, first_lesson
):
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    Session.objects.all().delete()
    answer.box.fill("Something only Alice may ever read.")
    expect(answer.status).to_contain_text("signed out")

    page.context.clear_cookies()  # bob sits down at the same computer
    sign_in(page, live_server, bob.email)
    open_lesson(page, live_server, first_lesson)
    expect(page.get_by_role("heading", name="Your Turn")).to_be_visible()
    expect(page.get_by_text("This browser kept unsaved writing")).to_have_count(0)
    assert "Something only Alice" not in page.content()
    assert not Answer.objects.exists()

    page.context.clear_cookies()
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    page.get_by_role("button", name="Bring back my unsaved text").click()
    expect(answer.status).to_have_text(re.compile("Saved at"))
    assert stored(alice).text == "Something only Alice may ever read."


def test_a_draft_older_than_a_week_is_dropped(page, live_server, alice, first_lesson):
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    key = f"trellis-draft:{alice.pk}:{answer.prompt.slug}"
    eight_days = 8 * 24 * 3600 * 1000
    page.evaluate(
        """([key, age]) => {
            localStorage.setItem(key, JSON.stringify({text: "Old words", at: Date.now() - age}));
            localStorage.setItem("trellis-draft:999:elsewhere",
                                 JSON.stringify({text: "Old too", at: Date.now() - age}));
        }""",
        [key, eight_days],
    )

    page.goto(live_server.url + "/")  # any page tidies up, not only the lesson's
    assert drafts(page) == []
    open_lesson(page, live_server, first_lesson)
    expect(page.get_by_text("This browser kept unsaved writing")).to_have_count(0)


def test_quick_exit_mid_typing_keeps_what_was_typed_and_leaves_no_draft(
    neutral_site, live_server, alice, first_lesson
):
    page = neutral_site
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    answer.box.fill("Typed a moment before someone came in.")  # no pause for autosave
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(NEUTRAL)

    wait_for_text(alice, "Typed a moment before someone came in.")
    page.goto(live_server.url + "/")
    assert drafts(page) == []


def test_quick_exit_after_the_session_ran_out_leaves_the_draft_for_its_writer(
    neutral_site, live_server, alice, first_lesson
):
    page = neutral_site
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    Session.objects.all().delete()
    answer.box.fill("No request can save this until she signs in.")
    expect(answer.status).to_contain_text("signed out")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(NEUTRAL)

    page.goto(live_server.url + "/")
    assert drafts(page) == [f"trellis-draft:{alice.pk}:{answer.prompt.slug}"]
    sign_in(page, live_server, alice.email)
    open_lesson(page, live_server, first_lesson)
    expect(page.get_by_role("button", name="Bring back my unsaved text")).to_be_visible()


def test_signing_out_mid_typing_saves_first_then_leaves_no_draft(
    page, live_server, alice, first_lesson
):
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    answer.box.fill("The last thing I wrote before signing out.")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    assert stored(alice).text == "The last thing I wrote before signing out."
    assert drafts(page) == []


def test_the_sharing_choice_saves_at_once_and_the_page_shows_what_is_stored(
    two_browsers, live_server, alice, bob, first_lesson
):
    link(alice, bob)
    alice_page, bob_page = two_browsers
    sign_in(alice_page, live_server, alice.email)
    sign_in(bob_page, live_server, bob.email)
    answer = open_lesson(alice_page, live_server, first_lesson)
    expect(answer.who_can_read).to_have_text("Private to you. Bob cannot see it.")
    answer.box.fill("Meant for Bob.")
    expect(answer.status).to_have_text(re.compile("Saved at"))

    # Shared, with autosave only (no "Save answer"): the partner can read it.
    answer.choose("^Shared with Bob$")
    expect(answer.status).to_have_text("Saved. Bob can read this.")
    expect(answer.who_can_read).to_have_text("Bob can read this.")
    assert stored(alice).sharing == "shared"
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("Meant for Bob.")).to_be_visible()

    # Private again, then more words: nothing of it stays shared.
    answer.choose("Private: only me")
    expect(answer.status).to_have_text("Saved. Private to you. Bob cannot see it.")
    answer.box.press_sequentially(" But not this part.")
    expect(answer.status).to_have_text(re.compile("Saved at"))
    assert_accessible(alice_page)
    alice_page.reload()
    answer = AnswerOnPage(alice_page, first_lesson)
    expect(answer.box).to_have_value("Meant for Bob. But not this part.")
    expect(answer.block.get_by_label("Private: only me")).to_be_checked()
    expect(answer.who_can_read).to_have_text("Private to you. Bob cannot see it.")
    kept = stored(alice)
    assert (kept.sharing, kept.text) == ("private", "Meant for Bob. But not this part.")
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_role("heading", name="Our journey")).to_be_visible()
    expect(bob_page.get_by_text("Meant for Bob.")).to_have_count(0)


def test_a_stale_tab_cannot_save_over_newer_text(page, live_server, alice, first_lesson):
    sign_in(page, live_server, alice.email)
    fresh = open_lesson(page, live_server, first_lesson)
    stale = open_lesson(page.context.new_page(), live_server, first_lesson)
    fresh.box.fill("The newer text, from the first tab.")
    expect(fresh.status).to_have_text(re.compile("Saved at"))

    stale.box.fill("Older thoughts from a tab left open.")

    expect(stale.page.get_by_role("heading", name="Two versions of your answer")).to_be_visible()
    expect(stale.page.get_by_label("Your text from this tab")).to_have_value(
        "Older thoughts from a tab left open."
    )
    expect(stale.page.get_by_label("Saved text")).to_have_value(
        "The newer text, from the first tab."
    )
    assert stored(alice).text == "The newer text, from the first tab."


def test_an_answer_page_that_answers_html_is_not_taken_for_a_save(
    page, live_server, alice, first_lesson
):
    """Whatever answers instead of the server's JSON (a captive portal, a proxy's error
    page) is a failure: the words stay in the browser and the page says so."""
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    page.route(
        re.compile(r".*/journal/.*"),
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>Hello</p>"),
    )
    answer.box.fill("Words the portal swallowed.")

    expect(answer.status).to_have_attribute("data-state", "error")
    expect(answer.status).to_contain_text("kept in this browser")
    assert drafts(page) == [f"trellis-draft:{alice.pk}:{answer.prompt.slug}"]
    assert not Answer.objects.exists()


def test_the_note_on_the_partners_answer_follows_an_autosaved_choice(
    page, live_server, alice, bob, first_lesson
):
    """The note that Bob's answer waits for Alice's is true only while hers is private:
    choosing "when we have both" (autosave, no reload) opens the exchange, and the page
    must not go on saying that Bob's answer waits."""
    link(alice, bob)
    waiting = "Bob has answered this and will share it once you share yours."
    prompt = first_lesson.prompts.order_by("order").first()
    answer_as(bob, prompt.slug, "Bob's side.", sharing="when_both")
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    note = answer.block.locator(".partner-note")
    expect(note).to_contain_text(waiting)
    answer.box.fill("Alice's side.")
    expect(answer.status).to_have_text(re.compile("Saved at"))

    answer.choose("Shared with Bob when we have both")

    both = "Bob can read this: you have both shared your answers."
    expect(answer.status).to_have_text("Saved. " + both)
    expect(answer.who_can_read).to_have_text(both)
    expect(note).to_be_hidden()
    assert_accessible(page)
    assert stored(alice).sharing == "when_both"

    # withdrawn again: Bob's answer waits once more, and the page says so
    answer.choose("Private: only me")
    expect(answer.status).to_have_text("Saved. Private to you. Bob cannot see it.")
    expect(note).to_be_visible()
    expect(note).to_contain_text(waiting)


def test_a_stale_tab_cannot_widen_sharing_by_autosave(page, live_server, alice, bob, first_lesson):
    link(alice, bob)
    sign_in(page, live_server, alice.email)
    fresh = open_lesson(page, live_server, first_lesson)
    fresh.box.fill("Shared at first.")
    expect(fresh.status).to_have_text(re.compile("Saved at"))
    fresh.choose("^Shared with Bob$")
    expect(fresh.status).to_have_text("Saved. Bob can read this.")
    stale = open_lesson(page.context.new_page(), live_server, first_lesson)  # still says Shared
    fresh.choose("Private: only me")
    expect(fresh.status).to_have_text("Saved. Private to you. Bob cannot see it.")

    stale.box.press_sequentially(" More from the old tab.")

    expect(stale.page.get_by_role("heading", name="Two versions of your answer")).to_be_visible()
    kept = stored(alice)
    assert (kept.current_sharing, kept.text) == ("private", "Shared at first.")


@pytest.mark.parametrize("bob_answered", [False, True], ids=["bob-no-answer", "bob-answered"])
def test_a_tab_left_open_by_one_spouse_never_saves_into_the_other_spouses_journal(
    page, live_server, alice, bob, first_lesson, bob_answered
):
    """A shared computer: alice's tab is signed out in another tab while she types, and
    bob signs in there. Her words must stay in the browser for her, never be saved as
    bob's answer, and never open a conflict page that shows his private answer beside
    hers (both happened: the page's retry used the new session's token)."""
    if bob_answered:
        prompt = first_lesson.prompts.order_by("order").first()
        Answer.objects.create(author=bob, prompt=prompt, text="Bob's private words.")
    sign_in(page, live_server, alice.email)
    page.clock.install()
    answer = open_lesson(page, live_server, first_lesson)

    other = page.context.new_page()
    other.goto(live_server.url + "/")
    other.get_by_role("button", name="Sign out").first.click()
    answer.box.fill("Alice's words, never for bob's journal.")
    page.clock.run_for(1500)
    expect(answer.status).to_contain_text("signed out")

    sign_in(other, live_server, bob.email)
    page.bring_to_front()
    page.clock.run_for(20_000)  # the tab tries again, now with bob's session

    expect(answer.status).to_contain_text("Someone else is signed in")
    assert page.url.startswith(live_server.url + first_lesson.get_absolute_url())
    assert "Bob's private words." not in page.content()
    assert not Answer.objects.filter(author=alice).exists()
    bobs = Answer.objects.filter(author=bob).values_list("text", flat=True)
    assert list(bobs) == (["Bob's private words."] if bob_answered else [])
    assert len(drafts(page)) == 1 and drafts(page)[0].endswith(f"{alice.pk}:{answer.prompt.slug}")

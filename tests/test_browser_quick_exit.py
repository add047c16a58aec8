"""Quick exit ends the session after saving the words on the page, and Back shows no
journal text; a setting keeps the person signed in. Real Chromium, phone and desktop."""

import re

import pytest
from playwright.sync_api import expect

from course.journal import save_answer
from course.models import Answer, Lesson
from tests.conftest import NEUTRAL, assert_accessible, sign_in
from tests.test_browser_autosave import drafts, open_lesson, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture
def first_lesson(content):
    return Lesson.objects.filter(stage__slug="honesty").order_by("order").first()


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_quick_exit_saves_the_words_then_signs_out_and_back_shows_nothing(
    neutral_site, live_server, alice, first_lesson, size
):
    page = neutral_site
    page.set_viewport_size(size)
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    answer.box.fill("Words nobody else should read.")
    expect(answer.status).to_have_text(re.compile(r"Saved at"))
    # The journal, one step back in the history, shows her words while she is signed in.
    page.goto(live_server.url + "/journal/")
    expect(page.get_by_text("Words nobody else should read.")).to_be_visible()
    answer = open_lesson(page, live_server, first_lesson)
    answer.box.focus()
    page.keyboard.press("Control+End")
    page.keyboard.type(" And a last line.")  # no pause for autosave
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(NEUTRAL)

    wait_for_text(alice, "Words nobody else should read. And a last line.")
    page.go_back()
    page.wait_for_load_state()
    assert "/journal/" in page.url
    expect(page.locator("body")).not_to_contain_text("nobody else should read")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert drafts(page) == []

    response = page.goto(live_server.url + first_lesson.get_absolute_url())
    assert response.status == 200
    expect(page.locator("body")).not_to_contain_text("nobody else should read")
    page.goto(live_server.url + "/journal/")
    assert "/accounts/login/" in page.url, "the session has ended"


def test_a_person_can_choose_to_stay_signed_in_after_a_quick_exit(
    neutral_site, live_server, alice, first_lesson
):
    page = neutral_site
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/account/")
    setting = page.get_by_label("Stay signed in after a quick exit")
    expect(setting).not_to_be_checked()
    setting.check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    expect(page.get_by_label("Stay signed in after a quick exit")).to_be_checked()
    assert_accessible(page)

    answer = open_lesson(page, live_server, first_lesson)
    answer.box.fill("Still mine after leaving.")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)

    wait_for_text(alice, "Still mine after leaving.")
    response = page.goto(live_server.url + "/journal/")
    assert response.status == 200
    expect(page.get_by_role("heading", level=1, name="Your journal")).to_be_visible()


def test_words_that_meet_a_newer_version_at_a_quick_exit_wait_for_their_writer(
    neutral_site, live_server, alice, first_lesson
):
    page = neutral_site
    sign_in(page, live_server, alice.email)
    answer = open_lesson(page, live_server, first_lesson)
    # Meanwhile, on her phone, she saved another wording.
    save_answer(author=alice, prompt=answer.prompt, text="Written on the phone.", base_version=0)
    answer.box.fill("Written at the computer, then a quick exit.")
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url(NEUTRAL)

    assert Answer.objects.get(author=alice).text == "Written on the phone."
    page.goto(live_server.url + "/")
    assert drafts(page) == [f"trellis-draft:{alice.pk}:{answer.prompt.slug}"]

    sign_in(page, live_server, alice.email)
    notice = page.get_by_role("listitem").filter(has_text="before a quick exit")
    expect(notice).to_contain_text("The browser you were using kept them")
    assert_accessible(page)
    open_lesson(page, live_server, first_lesson)
    page.get_by_role("button", name="Bring back my unsaved text").click()
    expect(page.locator(f"#prompt-{answer.prompt.slug} textarea")).to_have_value(
        "Written at the computer, then a quick exit."
    )
    wait_for_text(alice, "Written at the computer, then a quick exit.")
    # The wording from the phone stays too, as an earlier version of its own.
    versions = Answer.objects.get(author=alice).versions.values_list("text", flat=True)
    assert "Written on the phone." in list(versions)
    page.goto(live_server.url + "/")
    notice.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_text("before a quick exit")).to_have_count(0)

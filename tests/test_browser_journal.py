"""The journal never loses a word: autosave, failed saves, two tabs, export. Real Chromium."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from course.models import Answer, Lesson
from tests.conftest import PASSWORD, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def first_lesson(content):
    return Lesson.objects.filter(stage__slug="honesty").order_by("order").first()


def answer_box(page, lesson):
    prompt = lesson.prompts.order_by("order").first()
    return prompt, page.locator(f"#prompt-{prompt.slug} textarea")


def test_answer_autosaves_and_survives_a_reload(page, live_server, alice, first_lesson):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + first_lesson.get_absolute_url())
    prompt, box = answer_box(page, first_lesson)
    box.fill("It feels cracked, but we are both still here. 🌱 שלום")
    status = page.locator(f"#prompt-{prompt.slug} [data-save-status]")
    expect(status).to_have_text(re.compile(r"Saved at \d\d:\d\d"))
    assert_accessible(page)

    page.reload()
    expect(answer_box(page, first_lesson)[1]).to_have_value(
        "It feels cracked, but we are both still here. 🌱 שלום"
    )
    saved = Answer.objects.get(author=alice, prompt=prompt)
    assert saved.text == "It feels cracked, but we are both still here. 🌱 שלום"
    assert saved.sharing == "private"


def test_a_failed_save_keeps_every_word_and_offers_it_back(page, live_server, alice, first_lesson):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + first_lesson.get_absolute_url())
    prompt, box = answer_box(page, first_lesson)
    page.route(re.compile(r".*/journal/.*"), lambda route: route.abort())
    box.fill("Words written while the server was unreachable.")
    status = page.locator(f"#prompt-{prompt.slug} [data-save-status]")
    expect(status).to_have_text(re.compile("Not saved yet — retrying"))
    assert not Answer.objects.filter(author=alice).exists()

    page.unroute(re.compile(r".*/journal/.*"))
    page.close()  # the tab crashes before the retry: only the browser's copy remains
    tab = page.context.new_page()
    tab.goto(live_server.url + first_lesson.get_absolute_url())
    expect(tab.get_by_text("This browser kept unsaved writing")).to_be_visible()
    assert_accessible(tab)
    tab.get_by_role("button", name="Bring back my unsaved text").click()
    expect(answer_box(tab, first_lesson)[1]).to_have_value(
        "Words written while the server was unreachable."
    )
    expect(tab.locator(f"#prompt-{prompt.slug} [data-save-status]")).to_have_text(
        re.compile("Saved at")
    )
    kept = Answer.objects.get(author=alice).text
    assert kept == "Words written while the server was unreachable."


def test_two_tabs_editing_one_answer_get_the_conflict_view(page, live_server, alice, first_lesson):
    sign_in(page, live_server, alice.email)
    url = live_server.url + first_lesson.get_absolute_url()
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    prompt, box = answer_box(page, first_lesson)
    box.fill("Written in the first tab.")
    expect(page.locator(f"#prompt-{prompt.slug} [data-save-status]")).to_have_text(
        re.compile("Saved at")
    )

    answer_box(other, first_lesson)[1].fill("Written in the second tab, which is out of date.")
    expect(other.get_by_role("heading", name="Two versions of your answer")).to_be_visible()
    expect(other.get_by_label("Your text from this tab")).to_have_value(
        "Written in the second tab, which is out of date."
    )
    expect(other.get_by_label("Saved text")).to_have_value("Written in the first tab.")
    assert_accessible(other)
    assert Answer.objects.get(author=alice).text == "Written in the first tab."

    other.get_by_role("button", name="Keep this version").click()
    expect(other).to_have_url(re.compile(first_lesson.get_absolute_url()))
    kept = Answer.objects.get(author=alice).text
    assert kept == "Written in the second tab, which is out of date."


def test_export_holds_the_answer_in_both_formats(page, live_server, alice, first_lesson):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + first_lesson.get_absolute_url())
    prompt, box = answer_box(page, first_lesson)
    box.fill("An answer worth keeping <script>alert(1)</script>")
    page.locator(f"#prompt-{prompt.slug}").get_by_role("button", name="Save answer").click()
    expect(page.get_by_text("Your answer is saved")).to_be_visible()

    page.goto(live_server.url + "/journal/")
    assert_accessible(page)
    expect(page.get_by_text("An answer worth keeping")).to_be_visible()

    # Exports ask for the password again first: the journal is the most private thing here.
    page.get_by_role("link", name="Download as Markdown").click()
    expect(page.get_by_role("heading", name="First, is it you?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as md:
        page.get_by_role("button", name="Continue").click()
    markdown = Path(md.value.path()).read_text(encoding="utf-8")
    assert "An answer worth keeping <script>alert(1)</script>" in markdown
    assert prompt.text in markdown

    page.goto(live_server.url + "/journal/")
    with page.expect_download() as js:  # confirmed a moment ago: no second password prompt
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(js.value.path()).read_text(encoding="utf-8"))
    assert data["answers"][0]["answer"] == "An answer worth keeping <script>alert(1)</script>"
    assert data["answers"][0]["prompt_id"] == prompt.slug

    page.goto(live_server.url + "/journal/workbook/")
    assert_accessible(page)
    expect(page.locator(".answer-text")).to_contain_text("<script>alert(1)</script>")


def test_unsaved_words_are_offered_back_only_to_their_writer(
    page, live_server, alice, bob, first_lesson
):
    """On a shared computer a session can run out with a draft still in the browser: the
    next spouse to sign in there must not be offered it; its writer must."""
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + first_lesson.get_absolute_url())
    _, box = answer_box(page, first_lesson)
    page.route(re.compile(r".*/journal/.*"), lambda route: route.abort())
    box.fill("Something only Alice may ever read.")
    expect(page.get_by_text(re.compile("Not saved yet"))).to_be_visible()
    page.unroute(re.compile(r".*/journal/.*"))
    page.context.clear_cookies()  # the session runs out; the draft stays in localStorage

    sign_in(page, live_server, bob.email)
    page.goto(live_server.url + first_lesson.get_absolute_url())
    expect(page.get_by_role("heading", name="Your Turn")).to_be_visible()
    expect(page.get_by_text("This browser kept unsaved writing")).to_have_count(0)
    assert "Something only Alice" not in page.content()

    page.context.clear_cookies()
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + first_lesson.get_absolute_url())
    expect(page.get_by_text("This browser kept unsaved writing")).to_be_visible()


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_the_journal_shows_one_stage_and_the_others_are_a_keypress_away(
    page, live_server, alice, content, size
):
    from tests.factories import answer

    honesty = Lesson.objects.filter(stage__slug="honesty").order_by("order").first()
    safety = Lesson.objects.filter(stage__slug="safety").order_by("order").first()
    answer(alice, honesty.prompts.order_by("order").first().slug, "Written in the first stage.")
    answer(alice, safety.prompts.order_by("order").first().slug, "Written most recently.")
    page.set_viewport_size(size)
    sign_in(page, live_server, alice.email)

    response = page.goto(live_server.url + "/journal/")
    assert response.status == 200
    stages = page.get_by_role("navigation", name="Stages of your journal")
    current = stages.locator("[aria-current=page]")
    expect(current).to_have_text(re.compile(r"^Safety\s+1 of \d+ answered$"))
    expect(page.get_by_role("heading", name="Safety", level=2)).to_be_visible()
    expect(page.get_by_text("Written most recently.")).to_be_visible()
    expect(page.get_by_text("Written in the first stage.")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)

    stages.get_by_role("link", name=re.compile("^Honesty")).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/journal/\?stage=honesty$"))
    expect(current).to_have_text(re.compile(r"^Honesty\s+1 of \d+ answered$"))
    expect(page.get_by_text("Written in the first stage.")).to_be_visible()
    expect(page.get_by_text("Written most recently.")).to_have_count(0)
    assert_accessible(page)

    page.get_by_label("Search your answers").fill("written")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="2 answers found")).to_be_visible()

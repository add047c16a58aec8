"""Each spouse reads their role's parts; the other's open only when asked; the partner
never learns where their spouse stands. Real Chromium, with a synthetic lesson
(tests.factories.ROLE_LESSON) that has a part and a question for each role."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, sign_in
from tests.factories import complete, link, publish_role_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HURT_PART = "Hurt-part: rest is allowed"
BROKE_PART = "Broke-part: answer questions"
HURT_Q = "What do you need this week?"
BROKE_Q = "What can you offer this week?"
ALL_Q = "What did you notice together?"


@pytest.fixture
def lesson_url(settings, tmp_path, live_server) -> str:
    return live_server.url + publish_role_lesson(settings, tmp_path)


def choose_from_home(page, live_server, answer: str) -> None:
    """Answer "Where do you stand?" the way a spouse finds it: on the home page."""
    page.goto(live_server.url + "/")
    card = page.get_by_role("region", name="Where do you stand?")
    expect(card.get_by_text("Only you see this.")).to_be_visible()
    assert_accessible(page)
    card.get_by_role("link", name="Choose where you stand").click()
    expect(page.get_by_role("heading", level=1, name="Where do you stand?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(answer, exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("Saved. Only you can see this.")).to_be_visible()
    expect(page.get_by_role("region", name="Where do you stand?")).to_have_count(0)


def expect_question(page, text: str, count: int) -> None:
    expect(page.locator(".prompt-text", has_text=text)).to_have_count(count)
    expect(page.get_by_role("textbox", name=f"Your answer to: {text}")).to_have_count(count)


def open_by_keyboard(page, summary: str) -> None:
    toggle = page.locator("summary", has_text=summary)
    toggle.focus()
    page.keyboard.press("Enter")


def test_a_hurt_spouse_reads_the_hurt_parts_and_opens_the_other_only_by_asking(
    page, live_server, lesson_url, alice, bob
):
    link(alice, bob)
    sign_in(page, live_server, alice.email)
    choose_from_home(page, live_server, "I was hurt")

    page.goto(lesson_url)
    mine = page.get_by_role("region", name="For you, as the spouse who was hurt")
    expect(mine.get_by_text(HURT_PART)).to_be_visible()
    expect(page.get_by_text(BROKE_PART)).to_be_hidden()
    expect(page.get_by_role("region", name="A ten-minute talk")).to_contain_text("Do this together")
    expect_question(page, ALL_Q, 1)
    expect_question(page, HURT_Q, 1)
    expect_question(page, BROKE_Q, 0)
    assert_accessible(page)

    open_by_keyboard(page, "For the spouse who broke trust")
    expect(page.get_by_text(BROKE_PART)).to_be_visible()
    expect(page.locator("summary", has_text="read to understand your spouse")).to_be_visible()
    expect_question(page, BROKE_Q, 0)
    assert_accessible(page)


def test_a_spouse_who_broke_trust_reads_the_reverse(page, live_server, lesson_url, alice, bob):
    link(alice, bob)
    sign_in(page, live_server, bob.email)
    choose_from_home(page, live_server, "I broke trust")

    page.goto(lesson_url)
    mine = page.get_by_role("region", name="For you, as the spouse who broke trust")
    expect(mine.get_by_text(BROKE_PART)).to_be_visible()
    expect(page.get_by_text(HURT_PART)).to_be_hidden()
    expect_question(page, ALL_Q, 1)
    expect_question(page, BROKE_Q, 1)
    expect_question(page, HURT_Q, 0)

    open_by_keyboard(page, "For the spouse who was hurt")
    expect(page.get_by_text(HURT_PART)).to_be_visible()
    expect_question(page, HURT_Q, 0)


def test_folded_parts_print_with_the_rest(page, live_server, lesson_url, alice):
    alice.role = "hurt"
    alice.save(update_fields=["role"])
    sign_in(page, live_server, alice.email)
    page.goto(lesson_url)
    expect(page.get_by_text(BROKE_PART)).to_be_hidden()

    page.emulate_media(media="print")

    expect(page.get_by_text(BROKE_PART)).to_be_visible()
    expect(page.get_by_text(HURT_PART)).to_be_visible()


def test_skipping_the_question_shows_every_part_labelled(page, live_server, lesson_url, alice):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/")
    page.get_by_role("region", name="Where do you stand?").get_by_role(
        "button", name="Skip this question"
    ).click()
    expect(page.get_by_text("That is fine. Every lesson shows you every part")).to_be_visible()
    expect(page.get_by_role("region", name="Where do you stand?")).to_have_count(0)

    page.goto(lesson_url)
    hurt = page.get_by_role("region", name="For the spouse who was hurt")
    broke = page.get_by_role("region", name="For the spouse who broke trust")
    expect(hurt.get_by_text(HURT_PART)).to_be_visible()
    expect(broke.get_by_text(BROKE_PART)).to_be_visible()
    for question in (ALL_Q, HURT_Q, BROKE_Q):
        expect_question(page, question, 1)
    assert_accessible(page)


def test_a_visitor_reads_every_part_labelled(page, live_server, lesson_url):
    page.goto(lesson_url)

    expect(page.get_by_role("region", name="For the spouse who was hurt")).to_contain_text(
        HURT_PART
    )
    expect(page.get_by_role("region", name="For the spouse who broke trust")).to_contain_text(
        BROKE_PART
    )
    for question in (ALL_Q, HURT_Q, BROKE_Q):
        expect(page.locator(".prompt-text", has_text=question)).to_be_visible()
    assert_accessible(page)


def test_the_partner_never_sees_where_their_spouse_stands(
    two_browsers, live_server, lesson_url, alice, bob
):
    alice_page, bob_page = two_browsers
    link(alice, bob)
    complete(alice, "two-roles")
    sign_in(alice_page, live_server, alice.email)
    choose_from_home(alice_page, live_server, "I was hurt")
    expect(alice_page.get_by_role("heading", name="Questions waiting for you")).to_be_visible()
    expect(alice_page.get_by_role("link", name=HURT_Q)).to_be_visible()
    expect(alice_page.get_by_role("link", name=BROKE_Q)).to_have_count(0)

    sign_in(bob_page, live_server, bob.email)
    for path in ["/", "/us/", "/course/", lesson_url, "/journal/", "/account/"]:
        bob_page.goto(path if path.startswith("http") else live_server.url + path)
        text = bob_page.locator("main").inner_text()
        assert "I was hurt" not in text, path
        assert "as the spouse who was hurt" not in text, path
        assert not re.search(r"Alice\W+(was hurt|stands)", text), path
    expect(bob_page.get_by_text("You have not said")).to_be_visible()
    assert_accessible(bob_page)

"""The private safety check in real Chromium: two spouses, a visitor, phone and desktop."""

import re

import pytest
from playwright.sync_api import expect

from accounts.links import partner_of
from accounts.models import Notice
from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def tab_to(page, is_it: str, most: int = 60) -> None:
    """Press Tab until the focused element passes the JavaScript test `is_it(el)`."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {is_it})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {is_it}")


def test_bob_is_afraid_sees_help_and_nothing_links_unless_he_goes_on(
    two_browsers, live_server, alice, bob, content, mailoutbox, settings
):
    settings.SITE_URL = live_server.url  # invitation links use it outside DEBUG
    alice_page, bob_page = two_browsers
    sign_in(alice_page, live_server, alice.email)
    alice_page.goto(live_server.url + "/us/")
    alice_page.get_by_role("button", name="Create an invitation").click()
    link = alice_page.get_by_label("Invitation link").input_value()

    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(link)
    expect(bob_page.get_by_role("heading", name="Alice invited you")).to_be_visible()
    bob_page.get_by_role("link", name="take a short, private check").click()
    expect(bob_page.get_by_role("heading", name="A short, private check")).to_be_visible()
    expect(
        bob_page.get_by_role("heading", name="If someone else might see this device")
    ).to_be_visible()
    assert "afraid" not in bob_page.url
    bob_page.get_by_label("I am sometimes afraid of my spouse").check()
    bob_page.get_by_role("button", name="See what we suggest").click()

    expect(bob_page.get_by_role("heading", name="What we suggest instead")).to_be_visible()
    expect(
        bob_page.get_by_role(
            "heading", name="For now, please don\u2019t link your accounts or share your answers"
        )
    ).to_be_visible()
    expect(bob_page.get_by_role("link", name="helplines by country")).to_have_attribute(
        "href", "/course/when-this-course-is-not-enough/#where-to-turn"
    )
    assert bob_page.url == live_server.url + "/safety-check/"
    assert_accessible(bob_page)
    assert partner_of(bob) is None
    assert not Notice.objects.filter(user=alice).exists()
    assert mailoutbox == []

    # alice sees nothing of it: her invitation is still waiting.
    alice_page.goto(live_server.url + "/us/")
    expect(alice_page.get_by_text("You have an invitation waiting for an answer")).to_be_visible()

    # Advice, not a wall: bob may still go back and choose for himself.
    bob_page.get_by_role("link", name="Go back to the invitation").click()
    expect(bob_page.get_by_role("heading", name="Alice invited you")).to_be_visible()
    assert partner_of(bob) is None
    bob_page.get_by_role("button", name="Accept and link our accounts").click()
    expect(bob_page.get_by_text("You and Alice are now linked")).to_be_visible()
    assert partner_of(bob) == alice


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_visitor_takes_the_check_by_keyboard(page, live_server, content, viewport):
    page.set_viewport_size(viewport)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Take a short, private check").click()
    expect(page.get_by_role("heading", name="A short, private check")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    tab_to(page, "el.id === 'id_recent_discovery'")
    page.keyboard.press("Space")
    expect(page.get_by_label("I found out about an affair")).to_be_checked()
    tab_to(page, "el.textContent.trim() === 'See what we suggest'")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Get professional help first")).to_be_visible()
    expect(page.get_by_text("A counselor trained in affair recovery")).to_be_visible()
    expect(page.get_by_role("heading", name="What we suggest instead")).to_have_count(0)
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    tab_to(page, "el.textContent.trim() === 'Go on to the course'")
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/course/")


def test_thoughts_of_self_harm_lead_to_the_crisis_lines(page, live_server, content):
    page.goto(live_server.url + "/safety-check/")
    page.get_by_label("I have had thoughts of hurting myself").check()
    page.get_by_role("button", name="See what we suggest").click()
    crisis = page.get_by_role("heading", name="If you are thinking of hurting yourself")
    expect(crisis).to_be_visible()
    expect(page.get_by_role("heading", name="Get professional help first")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="crisis lines in your country").click()
    page.wait_for_url(re.compile(r"/course/when-this-course-is-not-enough/#where-to-turn$"))
    expect(page.get_by_role("heading", name="Where to turn")).to_be_in_viewport()
    expect(page.get_by_role("link", name="988").first).to_be_visible()


def test_a_spouse_may_skip_the_check_at_the_start_of_a_stage(page, live_server, alice, content):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/course/")
    page.get_by_role("link", name="Why honesty comes first", exact=True).click()
    lesson_url = page.url
    expect(page.get_by_role("heading", name="Starting a new stage")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="take a short, private check").click()
    expect(page.get_by_role("heading", name="A short, private check")).to_be_visible()
    page.get_by_role("link", name="Skip the check").click()
    page.wait_for_url(lesson_url)
    expect(page.get_by_role("heading", level=1, name="Why honesty comes first")).to_be_visible()

"""Personal safety and account security, in real Chromium."""

import re
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import hotp_value
from playwright.sync_api import expect

from course.models import Completion, Lesson
from tests.conftest import NEUTRAL, PASSWORD, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("how", ["button", "escape"])
def test_quick_exit_leaves_and_back_does_not_return(neutral_site, live_server, alice, content, how):
    page = neutral_site
    page.goto(live_server.url + "/")
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/journal/")
    if how == "button":
        page.get_by_role("link", name="Quick exit").click()
    else:
        for _ in range(3):
            page.keyboard.press("Escape")
    page.wait_for_url(NEUTRAL)
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()
    page.go_back()
    assert "/journal/" not in page.url


def test_quick_exit_is_a_plain_link_without_javascript(browser, live_server, settings):
    settings.QUICK_EXIT_URL = NEUTRAL
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Quick exit")).to_have_attribute("href", NEUTRAL)
    context.close()


def test_footer_always_links_to_the_safety_lesson(page, live_server, content):
    page.goto(live_server.url + "/course/")
    page.get_by_role("contentinfo").get_by_role("link", name="Where to turn for help").click()
    expect(
        page.get_by_role("heading", level=1, name="When this course is not enough")
    ).to_be_visible()
    assert_accessible(page)


def test_mfa_set_up_then_sign_in_with_a_code(page, live_server, alice):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/accounts/2fa/totp/activate/")
    if page.get_by_role("heading", name="First, is it you?").is_visible():
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Setup key")).to_be_visible()
    assert_accessible(page)
    secret = page.get_by_label("Setup key").input_value()
    page.get_by_label("Authenticator code").fill(fresh_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_text("Two-step sign-in is on.")).to_be_visible()
    expect(page.get_by_role("heading", name="Your backup codes", level=1)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="One more step", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code").fill(fresh_code(secret))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Your journey")).to_be_visible()


def fresh_code(secret: str, period: int = 30, margin: int = 6) -> str:
    """The authenticator's code, as a phone shows it. allauth accepts only the current
    30-second window's code, so a code read in the window's last seconds can reach the
    server after it closed (this failed under load): wait for the next window then."""
    import time

    if period - time.time() % period < margin:
        time.sleep(period - time.time() % period)
    return f"{hotp_value(secret, int(time.time()) // period):06d}"


def link(one, other):
    from accounts import services

    created = services.create_invitation(inviter=one)
    services.accept_invitation(invitation=created.invitation, user=other)


def test_export_then_delete_leaves_the_partner_intact(page, live_server, alice, bob, content):
    from accounts.links import partner_of
    from course.journal import save_answer
    from course.models import Answer, Prompt

    link(alice, bob)
    lesson = Lesson.objects.filter(stage__slug="honesty").order_by("order").first()
    first, second = Prompt.objects.filter(lesson=lesson).order_by("order")[:2]
    save_answer(author=alice, prompt=first, text="Alice wrote this.", base_version=0)
    save_answer(author=bob, prompt=first, text="Bob's private words.", base_version=0)
    save_answer(author=bob, prompt=second, text="Bob's other words.", base_version=0)
    Completion.objects.create(user=alice, lesson=lesson)
    Completion.objects.create(user=bob, lesson=lesson)

    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/account/")
    assert_accessible(page)
    page.get_by_role("link", name="Download my data (JSON)").click()
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Continue").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "Alice wrote this." in exported
    assert "Bob's" not in exported

    page.goto(live_server.url + "/account/delete/")
    assert_accessible(page)
    page.get_by_label(re.compile("to confirm")).fill("delete my acount")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("Please type")).to_be_visible()
    expect(page.get_by_label(re.compile("to confirm"))).to_have_value("delete my acount")
    page.get_by_label(re.compile("to confirm")).fill("delete my account")
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("have been deleted")).to_be_visible()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    assert Answer.objects.filter(author__email=alice.email).count() == 0
    assert Answer.objects.filter(author=bob).count() == 2
    assert Completion.objects.filter(user=bob).count() == 1
    assert partner_of(bob) is None


@pytest.mark.parametrize("size", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}])
def test_quick_exit_stays_in_reach_while_scrolling(page, live_server, content, size):
    page.set_viewport_size(size)
    page.goto(live_server.url + "/course/why-honesty-comes-first/")
    page.mouse.wheel(0, 6000)
    page.wait_for_function("window.scrollY > 1000")

    button = page.get_by_role("link", name="Quick exit")
    box = button.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], "in the viewport"
    assert box["width"] >= 44 and box["height"] >= 44, "large enough to tap"
    assert page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('[data-quick-exit]') !== null",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    ), "nothing covers it"

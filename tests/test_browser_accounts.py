"""A visitor becomes a spouse with an account, in real Chromium, and every page passes axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible, confirm_email, fill_sign_up, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "quiet harbour lantern 42"
RESET_PASSWORD = "river stones and morning 7"


def test_visitor_signs_up_signs_out_signs_in_and_resets_password(page, live_server, mailoutbox):
    page.goto(live_server.url + "/")
    assert_accessible(page)
    page.get_by_role("link", name="Create your account").click()

    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    assert_accessible(page)
    fill_sign_up(page, "Dana", "dana@example.com", NEW_PASSWORD)
    confirm_email(page, mailoutbox, "dana@example.com")
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()

    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("link", name=re.compile("Forgot", re.I)).click()
    expect(page.get_by_role("heading", name="Forgotten your password?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    assert_accessible(page)

    reset_mail = [m for m in mailoutbox if "dana@example.com" in m.to][-1]
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+", reset_mail.body).group(0)
    page.goto(link)
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(RESET_PASSWORD)
    page.get_by_label("New password (again)").fill(RESET_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Your new password is saved")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password").fill(RESET_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_bad_sign_up_keeps_what_was_typed_next_to_the_errors(page, live_server):
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Dana")
    page.get_by_label("Email").fill("dana@example.com")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("different")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_label("Your name")).to_have_value("Dana")
    expect(page.get_by_label("Email")).to_have_value("dana@example.com")
    expect(page.locator(".errorlist").first).to_be_visible()
    assert_accessible(page)


def test_a_spouse_picks_a_time_zone_with_the_keyboard_and_sees_it_kept(page, live_server, alice):
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/account/")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("")
    assert_accessible(page)

    zone.focus()
    zone.select_option("Pacific/Auckland")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    expect(page.get_by_label("Your time zone")).to_have_value("Pacific/Auckland")
    alice.refresh_from_db()
    assert alice.time_zone == "Pacific/Auckland"

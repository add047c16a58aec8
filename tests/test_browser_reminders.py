"""A spouse sets up a reminder from their account page, in real Chromium, checked by axe
in every state: off, a mistake, on."""

import datetime

import pytest
from playwright.sync_api import expect

from accounts.models import Reminder
from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_spouse_turns_a_reminder_on_and_off_from_the_account_page(page, live_server, alice):
    alice.time_zone = "Asia/Kolkata"
    alice.save(update_fields=["time_zone"])
    sign_in(page, live_server, alice.email)

    page.goto(live_server.url + "/account/")
    card = page.get_by_role("region", name="Reminders")
    expect(card.get_by_text("Off.")).to_be_visible()
    card.get_by_role("link", name="Set up a reminder").click()
    expect(page.get_by_role("heading", level=1, name="Reminders")).to_be_visible()
    expect(page.get_by_text("In your time zone: Asia/Kolkata")).to_be_visible()
    expect(page.get_by_label("Send me a reminder by email")).not_to_be_checked()
    assert_accessible(page)

    # On, but no day chosen: a clear message, and what was typed stays.
    page.get_by_label("Send me a reminder by email").check()
    page.get_by_label("At what time").fill("08:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Choose at least one day, or leave the reminder off.")).to_be_visible()
    expect(page.get_by_label("At what time")).to_have_value("08:00")
    expect(page.get_by_label("Send me a reminder by email")).to_be_checked()
    assert_accessible(page)
    assert not Reminder.objects.filter(user=alice).exists()

    page.get_by_role("group", name="On which days").get_by_label("Monday").check()
    page.get_by_role("group", name="On which days").get_by_label("Thursday").check()
    page.get_by_role("button", name="Save").click()
    expect(
        page.get_by_text("Saved. Your reminder will come on the days you chose.")
    ).to_be_visible()
    expect(page.get_by_label("Monday")).to_be_checked()
    expect(page.get_by_label("Thursday")).to_be_checked()
    expect(page.get_by_label("Friday")).not_to_be_checked()
    assert_accessible(page)
    saved = Reminder.objects.get(user=alice)
    assert (saved.enabled, saved.time_of_day, saved.days) == (True, datetime.time(8), "03")

    page.get_by_role("link", name="Back to your account").click()
    expect(
        page.get_by_role("region", name="Reminders").get_by_text(
            "On, at 08:00 on Monday and Thursday."
        )
    ).to_be_visible()
    page.get_by_role("link", name="Change your reminder").click()
    page.get_by_label("Send me a reminder by email").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. No reminders will be sent.")).to_be_visible()
    assert not Reminder.objects.get(user=alice).enabled

"""A new spouse walks the stages in order, in real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from course.models import Lesson
from tests.conftest import assert_accessible, confirm_email, fill_sign_up

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "steady lantern morning 19"
FINISHED = "I\u2019ve finished this lesson"


def test_new_spouse_opens_stages_in_order_and_resumes(page, live_server, content, mailoutbox):
    honesty = list(Lesson.objects.filter(stage__slug="honesty").order_by("order"))
    safety_first = Lesson.objects.filter(stage__slug="safety").order_by("order").first()
    safety_locked = Lesson.objects.filter(stage__slug="safety", public=False).count()
    total = len(honesty)

    page.goto(live_server.url + "/accounts/signup/")
    fill_sign_up(page, "Evan", "evan@example.com", PASSWORD)
    confirm_email(page, mailoutbox, "evan@example.com")
    page.wait_for_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="Your journey")).to_be_visible()
    assert_accessible(page)

    page.goto(live_server.url + "/course/")
    assert_accessible(page)
    honesty_section = page.locator("section.stage", has=page.locator("#stage-honesty"))
    expect(honesty_section.locator(".lesson-next")).to_have_count(1)
    safety_section = page.locator("section.stage", has=page.locator("#stage-safety"))
    expect(safety_section.locator(".lesson-locked")).to_have_count(safety_locked)  # not public
    expect(safety_section.get_by_text("opens when you have finished")).to_be_visible()
    expect(
        page.get_by_role("progressbar", name=re.compile(f"Honesty: 0 of {total}"))
    ).to_be_visible()

    page.goto(live_server.url + safety_first.get_absolute_url())
    expect(page.get_by_role("heading", name="This lesson is not open yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Continue with")).click()
    expect(page).to_have_url(live_server.url + honesty[0].get_absolute_url())

    for lesson in honesty:
        expect(page.get_by_role("heading", level=1, name=lesson.title)).to_be_visible()
        assert_accessible(page)
        page.get_by_role("button", name=FINISHED).click()

    expect(page).to_have_url(live_server.url + safety_first.get_absolute_url())
    expect(page.get_by_role("heading", level=1, name=safety_first.title)).to_be_visible()
    page.goto(live_server.url + "/course/")
    expect(safety_section.locator(".lesson-locked")).to_have_count(0)
    expect(
        page.get_by_role("progressbar", name=re.compile(f"Honesty: {total} of {total}"))
    ).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("evan@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    page.get_by_role("link", name="Continue").click()
    expect(page).to_have_url(live_server.url + safety_first.get_absolute_url())
    assert_accessible(page)

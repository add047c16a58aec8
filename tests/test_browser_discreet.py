"""The discreet tab: a person who chooses it sees "Notes" and a plain icon in every tab
title, so their tabs and history show nothing telling. Off by default. Real Chromium."""

import pytest
from playwright.sync_api import expect

from course.models import Lesson
from tests.conftest import assert_accessible, sign_in
from tests.factories import link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def icon(page) -> str:
    return page.locator("link[rel=icon]").get_attribute("href")


def titles_and_icons(page, live_server, paths) -> list[tuple[str, str]]:
    seen = []
    for path in paths:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        seen.append((page.title(), icon(page)))
    return seen


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_discreet_tab_shows_notes_on_every_page(page, live_server, alice, bob, content, size):
    link(alice, bob)
    lesson = Lesson.objects.filter(stage__slug="honesty").order_by("order").first()
    paths = ["/", lesson.get_absolute_url(), "/journal/", "/us/", "/check-ins/", "/account/"]
    page.set_viewport_size(size)
    sign_in(page, live_server, alice.email)

    before = titles_and_icons(page, live_server, paths)
    assert before[1][0] == f"{lesson.title} · Trellis", "off by default"
    assert all("Trellis" in title for title, _ in before)

    page.goto(live_server.url + "/account/")
    setting = page.get_by_label("Keep the browser tab discreet")
    expect(setting).not_to_be_checked()
    setting.check()
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Your settings are saved.")).to_be_visible()
    assert_accessible(page)

    after = titles_and_icons(page, live_server, paths)
    assert [title for title, _ in after] == ["Notes"] * len(paths)
    assert all("notes" in href and "favicon" not in href for _, href in after)
    assert page.locator("meta[name=application-name]").get_attribute("content") == "Notes"
    assert page.evaluate("document.title") == "Notes"
    assert_accessible(page)

    page.goto(live_server.url + "/account/")
    page.get_by_label("Keep the browser tab discreet").uncheck()
    page.get_by_role("button", name="Save").first.click()
    expect(page).to_have_title("Your account · Trellis")


def test_the_partner_keeps_their_own_tab(two_browsers, live_server, alice, bob, content):
    alice_page, bob_page = two_browsers
    link(alice, bob)
    alice.discreet_tab = True
    alice.save(update_fields=["discreet_tab"])
    sign_in(alice_page, live_server, alice.email)
    sign_in(bob_page, live_server, bob.email)
    for each in (alice_page, bob_page):
        each.goto(live_server.url + "/us/")
    assert alice_page.title() == "Notes"
    assert bob_page.title() == "Our journey · Trellis"

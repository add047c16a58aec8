"""Walking together: when one spouse waits at a stage for the other, both are told on
their home page who waits for whom, each can dismiss it, and it goes once both have
finished. Two spouses in two browsers, phone and desktop."""

import pytest
from playwright.sync_api import expect

from course.models import Lesson, Stage
from tests.conftest import assert_accessible, sign_in
from tests.factories import complete, link

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def honesty_lessons() -> list[str]:
    return list(
        Lesson.objects.current()
        .filter(stage__slug="honesty", private=False)
        .values_list("slug", flat=True)
    )


def notice_on(page, live_server):
    page.goto(live_server.url + "/")
    return page.get_by_role("region", name="What is new").get_by_role("listitem")


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_both_spouses_are_told_who_waits_for_whom(
    two_browsers, live_server, alice, bob, content, size
):
    alice_page, bob_page = two_browsers
    for each in two_browsers:
        each.set_viewport_size(size)
    link(alice, bob, walk_together=True)
    complete(alice, *honesty_lessons())
    finished, opens = Stage.objects.order_by("order")[:2]
    sign_in(alice_page, live_server, alice.email)
    sign_in(bob_page, live_server, bob.email)

    waiting = notice_on(alice_page, live_server).filter(has_text="walking together")
    expect(waiting).to_contain_text(
        f"You have finished {finished.title}. You are walking together, so {opens.title} "
        "opens when Bob finishes it too."
    )
    assert_accessible(alice_page)

    waited_for = notice_on(bob_page, live_server).filter(has_text="waiting for you")
    expect(waited_for).to_contain_text(
        f"Alice has finished {finished.title} and is waiting for you"
    )
    expect(waited_for).to_contain_text(f"{opens.title} opens for you both when you finish it")
    assert_accessible(bob_page)

    waited_for.get_by_role("button", name="Dismiss").click()
    bob_page.wait_for_url(live_server.url + "/")
    expect(bob_page.get_by_text("is waiting for you")).to_have_count(0)
    bob_page.reload()
    expect(bob_page.get_by_text("is waiting for you")).to_have_count(0)
    expect(notice_on(alice_page, live_server).filter(has_text="walking together")).to_have_count(1)

    complete(bob, *honesty_lessons())
    expect(notice_on(alice_page, live_server).filter(has_text="finished")).to_have_count(0)


def test_no_wait_is_told_to_spouses_who_do_not_walk_together(
    two_browsers, live_server, alice, bob, content
):
    alice_page, bob_page = two_browsers
    link(alice, bob, walk_together=False)
    complete(alice, *honesty_lessons())
    sign_in(alice_page, live_server, alice.email)
    sign_in(bob_page, live_server, bob.email)
    for each in two_browsers:
        each.goto(live_server.url + "/")
        expect(each.get_by_role("heading", name="Your journey")).to_be_visible()
        expect(each.get_by_text("is waiting for you")).to_have_count(0)
        expect(each.get_by_text("walking together, so")).to_have_count(0)

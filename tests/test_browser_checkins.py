"""Trust over time in real Chromium: alice checks in on three days and sees her chart and
table; she shares them and bob sees both lines on /us/; bob keeps a shared commitment and
alice confirms it. Every page passes axe, the charts included."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import accept_invitation, create_invitation
from course.checkins import record_checkin
from course.models import SIGN_KEYS, SIGNS
from tests.conftest import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rate(page, value: int, skip: str = "") -> None:
    for _, _, statement in SIGNS:
        if statement != skip:
            group = page.get_by_role("group", name=statement)
            group.get_by_label(str(value), exact=True).check()


def test_check_ins_shared_and_a_commitment_kept_and_confirmed(
    two_browsers, live_server, alice, bob
):
    alice_page, bob_page = two_browsers
    accept_invitation(invitation=create_invitation(inviter=alice).invitation, user=bob)
    today = timezone.localdate()
    for days, value in ((5, 2), (2, 3)):
        record_checkin(
            author=bob,
            taken_on=today - timedelta(days=days),
            self_scores=dict.fromkeys(SIGN_KEYS, value),
        )

    # alice checks in on three different days
    sign_in(alice_page, live_server, alice.email)
    expect(alice_page.get_by_text("Take your first check-in")).to_be_visible()
    assert_accessible(alice_page)
    alice_page.get_by_role("navigation", name="Main").get_by_role("link", name="Check-ins").click()
    expect(alice_page.get_by_role("heading", name="Trust check-ins", level=1)).to_be_visible()
    assert_accessible(alice_page)
    for days, value in ((14, 2), (7, 3), (0, 4)):
        alice_page.get_by_role("link", name="Take a check-in").first.click()
        alice_page.get_by_label("Date of this check-in").fill(
            (today - timedelta(days=days)).isoformat()
        )
        rate(alice_page, value)
        if days == 7:
            alice_page.get_by_label("A note for yourself").fill("<b>Slowly</b> better.")
        alice_page.get_by_role("button", name="Save check-in").click()
        expect(alice_page.get_by_text("Your check-in for")).to_be_visible()

    chart = alice_page.get_by_role("img", name=re.compile("Your trust check-ins over time"))
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_name(re.compile("3 check-ins from .* latest 4.0 of 5"))
    expect(alice_page.locator("#chart-overall circle")).to_have_count(3)
    table = alice_page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("4.0")
    expect(table.get_by_text("<b>Slowly</b> better.")).to_be_visible()
    assert_accessible(alice_page)

    # a gap in the ratings is marked, and what was given stays
    alice_page.get_by_role("link", name="Take a check-in").first.click()
    rate(alice_page, 5, skip="We invest more than we take.")
    alice_page.get_by_role("button", name="Save check-in").click()
    expect(alice_page.get_by_role("alert")).to_contain_text("We invest more than we take.")
    says = alice_page.get_by_role("group", name="We say what we mean.")
    expect(says.get_by_label("5", exact=True)).to_be_checked()
    assert_accessible(alice_page)

    # she shares her scores; bob sees both lines on one chart
    alice_page.get_by_role("link", name="Cancel").click()
    alice_page.get_by_role("button", name="Share my scores with Bob").click()
    expect(alice_page.get_by_text("Your check-in scores are shared with Bob.")).to_be_visible()

    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(live_server.url + "/us/")
    ours = bob_page.get_by_role("img", name=re.compile("Trust check-ins over time: you and Alice"))
    expect(ours).to_be_visible()
    expect(bob_page.locator("#chart-us polyline")).to_have_count(2)
    expect(bob_page.locator("#chart-us .chart-line-partner")).to_have_count(2)  # legend + line
    expect(bob_page.get_by_text("Slowly")).to_have_count(0)  # her note stays hers
    assert_accessible(bob_page)

    # bob makes a shared commitment and marks it kept
    bob_page.goto(live_server.url + "/commitments/")
    assert_accessible(bob_page)
    new = bob_page.get_by_role("region", name="Make a commitment")
    new.get_by_label("What will you do?").fill("I'll be home by 6 on Tuesday.")
    new.get_by_label("By when?").fill(today.isoformat())
    new.get_by_label("Share it with Alice").check()
    new.get_by_role("button", name="Save commitment").click()
    expect(bob_page.get_by_text("Your commitment is saved.")).to_be_visible()
    bob_page.get_by_role("link", name=re.compile("Mark it kept or not kept")).click()
    assert_accessible(bob_page)
    bob_page.get_by_label("I kept it").check()
    bob_page.get_by_label("A note (optional)").fill("Home at 5:45.")
    bob_page.get_by_role("button", name="Save").click()
    expect(bob_page.get_by_text("Marked kept.")).to_be_visible()
    expect(bob_page.get_by_text("kept 1 of 1 in the last 30 days")).to_be_visible()

    # alice sees it at the top of her page and confirms it
    alice_page.goto(live_server.url + "/commitments/")
    kept = alice_page.get_by_role("region", name="Bob kept a promise")
    expect(kept.get_by_text("I'll be home by 6 on Tuesday.", exact=True)).to_be_visible()
    expect(kept.get_by_text("Home at 5:45.")).to_be_visible()
    assert_accessible(alice_page)
    kept.get_by_role("button", name=re.compile("^I saw it kept")).click()
    expect(alice_page.get_by_text("You confirmed that Bob kept it.")).to_be_visible()
    theirs = alice_page.get_by_role("region", name=re.compile("^Bob.s shared commitments$"))
    expect(theirs.get_by_text("I'll be home by 6 on Tuesday.")).to_be_visible()
    alice_page.goto(live_server.url + "/us/")
    expect(alice_page.get_by_text("Bob: kept 1 of 1 in the last 30 days")).to_be_visible()
    assert_accessible(alice_page)

    bob_page.goto(live_server.url + "/commitments/")
    expect(bob_page.get_by_text("Confirmed by Alice")).to_be_visible()


def test_alice_deletes_one_check_in_from_her_table(page, live_server, alice):
    today = timezone.localdate()
    for days, value in ((3, 2), (1, 4)):
        record_checkin(
            author=alice,
            taken_on=today - timedelta(days=days),
            self_scores=dict.fromkeys(SIGN_KEYS, value),
        )
    older, newer = (
        f"{day.day} {day:%b %Y}" for day in (today - timedelta(3), today - timedelta(1))
    )
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + "/check-ins/")
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(2)
    assert_accessible(page)

    # she changes her mind once, then deletes it, from the keyboard
    page.get_by_role("link", name=f"Delete the check-in of {newer}", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Delete your check-in for")
    assert_accessible(page)
    page.get_by_role("link", name="Keep it").click()
    expect(table.locator("tbody tr")).to_have_count(2)

    page.get_by_role("link", name=f"Delete the check-in of {newer}", exact=True).focus()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes, delete this check-in").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("is deleted.")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.get_by_role("rowheader")).to_have_text(older)
    # one point makes no line: the charts wait for the next check-in
    expect(page.locator("#chart-overall")).to_have_count(0)
    expect(page.get_by_text("One check-in so far.")).to_be_visible()
    assert_accessible(page)

"""Trust over time in real Chromium: alice checks in on three days, about herself and about
bob, and sees her chart and table; she shares one check-in and bob sees only that one on
/us/; bob keeps a shared commitment and alice confirms it. Every page passes axe, the
charts included, on a phone and on a desktop."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import accept_invitation, create_invitation
from course.checkins import record_checkin
from course.models import SIGN_KEYS, SIGNS
from tests.conftest import assert_accessible, sign_in
from tests.test_browser_first_hour import DESKTOP, PHONE, assert_fits

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rate(page, value: int, skip: str = "", about: str = "self") -> None:
    """Rate every sign about myself (or, `about="spouse"`, about my spouse)."""
    for _, _, about_me, about_spouse in SIGNS:
        statement = about_me if about == "self" else about_spouse
        if statement != skip:
            group = page.get_by_role("group", name=statement, exact=True)
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
            spouse_scores=dict.fromkeys(SIGN_KEYS, value + 1),
            shared=True,  # each chosen on its own day
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
        if days == 0:
            rate(alice_page, 3, about="spouse")
        if days == 7:
            alice_page.get_by_label("A note for yourself").fill("<b>Slowly</b> better.")
        alice_page.get_by_role("button", name="Save check-in").click()
        expect(alice_page.get_by_text("Your check-in for")).to_be_visible()

    chart = alice_page.get_by_role("img", name=re.compile("Your trust check-ins over time"))
    expect(chart).to_be_visible()
    expect(chart).to_have_accessible_name(re.compile("3 check-ins from .* latest 4.0 of 5"))
    expect(alice_page.locator("#chart-overall .chart-dot-0 circle")).to_have_count(3)
    expect(alice_page.locator("#chart-overall .chart-dot-partner circle")).to_have_count(1)
    table = alice_page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table.get_by_role("row").nth(1)).to_contain_text("4.0")
    expect(table.get_by_text("<b>Slowly</b> better.")).to_be_visible()
    assert_accessible(alice_page)

    # a gap in the ratings is marked, and what was given stays
    alice_page.get_by_role("link", name="Take a check-in").first.click()
    rate(alice_page, 5, skip="I give more to our relationship than I take.")
    alice_page.get_by_role("button", name="Save check-in").click()
    alert = alice_page.get_by_role("alert")
    expect(alert).to_contain_text("I give more to our relationship than I take.")
    says = alice_page.get_by_role("group", name="I say what I mean.", exact=True)
    expect(says.get_by_label("5", exact=True)).to_be_checked()
    assert_accessible(alice_page)

    # she shares all three, one by one; bob sees her lines beside his own
    alice_page.get_by_role("link", name="Cancel").click()
    for days in (14, 7, 0):
        day = today - timedelta(days=days)
        alice_page.get_by_role(
            "button", name=f"Share the check-in of {day.day} {day:%b %Y} with Bob"
        ).click()
        expect(alice_page.get_by_role("status")).to_contain_text("Bob now sees the scores")

    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(live_server.url + "/us/")
    ours = bob_page.get_by_role("img", name=re.compile("How you and Alice each see yourselves"))
    expect(ours).to_be_visible()
    expect(bob_page.locator("#chart-us-self polyline")).to_have_count(2)
    expect(bob_page.locator("#chart-us-self .chart-line-partner")).to_have_count(2)  # legend, line
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
    expect(bob_page.get_by_label("I kept it")).to_be_visible()
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


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_alice_shares_one_of_two_check_ins_and_bob_sees_only_that_one(
    two_browsers, live_server, alice, bob, size, tmp_path
):
    alice_page, bob_page = two_browsers
    for each in two_browsers:
        each.set_viewport_size(size)
    accept_invitation(invitation=create_invitation(inviter=alice).invitation, user=bob)
    today = timezone.localdate()
    older, newer = today - timedelta(days=8), today - timedelta(days=1)
    for day, about_me, about_bob, note in (
        (older, 2, None, "The worst week."),
        (newer, 4, 3, "Talked on Sunday."),
    ):
        record_checkin(
            author=alice,
            taken_on=day,
            self_scores=dict.fromkeys(SIGN_KEYS, about_me),
            spouse_scores=about_bob and dict.fromkeys(SIGN_KEYS, about_bob),
            note=note,
        )

    sign_in(alice_page, live_server, alice.email)
    alice_page.goto(live_server.url + "/check-ins/")
    expect(alice_page.get_by_role("button", name=re.compile("^Share my"))).to_have_count(0)
    row = alice_page.locator("tbody tr").filter(has_text=f"{newer.day} {newer:%b %Y}")
    expect(row).to_contain_text("No")
    assert_fits(alice_page, tmp_path / f"alice-{size['width']}.png")
    assert_accessible(alice_page)
    alice_page.get_by_role(
        "button", name=f"Share the check-in of {newer.day} {newer:%b %Y} with Bob"
    ).click()
    expect(alice_page.get_by_role("status")).to_contain_text(
        f"Bob now sees the scores of your check-in for {newer.day} {newer:%B %Y}."
    )
    expect(row).to_contain_text("Scores")
    expect(row.get_by_role("button", name=re.compile("^Make it private"))).to_be_visible()
    expect(alice_page.get_by_text("Bob sees the scores of 1 of your 2 check-ins")).to_be_visible()
    assert_accessible(alice_page)

    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(live_server.url + "/us/")
    trust = bob_page.get_by_role("region", name="Trust over time")
    table = trust.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(1)  # only the check-in she shared
    expect(table.get_by_role("rowheader")).to_have_text(f"{newer.day} {newer:%b %Y}")
    expect(table.locator("tbody tr")).to_contain_text("4.0")
    expect(table.locator("tbody tr")).to_contain_text("3.0")
    expect(trust.get_by_text("2.0")).to_have_count(0)
    expect(trust.locator("svg")).to_have_count(0)  # one point: its numbers, not a chart
    expect(bob_page.get_by_text("Talked on Sunday.")).to_have_count(0)  # the note stays hers
    expect(bob_page.get_by_text("The worst week.")).to_have_count(0)
    assert_fits(bob_page, tmp_path / f"bob-{size['width']}.png")
    assert_accessible(bob_page)

"""Two spouses link, share and unlink, each in their own browser context. Real Chromium."""

import re

import pytest
from playwright.sync_api import expect

from course.journal import save_answer
from course.models import Completion, Lesson, Prompt
from tests.conftest import PASSWORD, assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_invites_bob_shares_one_answer_and_unlinks(
    two_browsers, live_server, alice, bob, content, settings
):
    settings.SITE_URL = live_server.url  # invitation links point at the site, as in production
    alice_page, bob_page = two_browsers
    honesty = list(Lesson.objects.filter(stage__slug="honesty").order_by("order"))
    Completion.objects.create(user=alice, lesson=honesty[0])
    Completion.objects.create(user=bob, lesson=honesty[0])
    Completion.objects.create(user=bob, lesson=honesty[1])
    first, second, third = Prompt.objects.filter(lesson=honesty[0]).order_by("order")[:3]
    for prompt, text in (
        # Formatted as the answer form allows, so axe checks /us/ with a list in it too.
        (first, "Shared: I want us to **begin** again.\n- slowly\n- together\n\n> you said so"),
        (second, "Private: I am still so angry."),
        (third, "When both: the small truth."),
    ):
        save_answer(author=alice, prompt=prompt, text=text, base_version=0)

    # alice invites
    sign_in(alice_page, live_server, alice.email)
    alice_page.goto(live_server.url + "/us/")
    assert_accessible(alice_page)
    alice_page.get_by_role("button", name="Create an invitation").click()
    expect(alice_page.get_by_role("heading", name="Your invitation is ready")).to_be_visible()
    assert_accessible(alice_page)
    link = alice_page.get_by_label("Invitation link").input_value()

    # bob accepts through the link
    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(link)
    expect(bob_page.get_by_role("heading", name="Alice invited you")).to_be_visible()
    assert_accessible(bob_page)
    bob_page.get_by_role("button", name="Accept and link our accounts").click()
    expect(bob_page.get_by_role("heading", name="Our journey")).to_be_visible()
    expect(bob_page.get_by_text("You and Alice are now linked")).to_be_visible()

    # both see where the other is, per stage, as each chose to show it
    total = len(honesty)
    alice_card = bob_page.locator(".card", has=bob_page.get_by_role("heading", name="Alice"))
    expect(alice_card).to_contain_text(f"Honesty: 1 of {total} lessons")
    you_card = bob_page.locator(".card", has=bob_page.get_by_role("heading", name="You"))
    expect(you_card).to_contain_text(f"Honesty: 2 of {total} lessons")
    alice_page.goto(live_server.url + "/us/")
    expect(alice_page.get_by_role("heading", name="Our journey")).to_be_visible()
    assert_accessible(alice_page)

    # alice shares one answer, keeps one private, shares one "when we've both answered"
    for prompt, choice in (
        (first, "^Shared with Bob$"),
        (third, "Shared with Bob when we have both"),
    ):
        alice_page.goto(live_server.url + f"/journal/{prompt.slug}/")
        alice_page.get_by_label(re.compile(choice)).check()
        alice_page.get_by_role("button", name="Save answer").click()
        expect(alice_page.locator(".message-success")).to_contain_text("Your answer is saved")

    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("Shared: I want us to begin again.")).to_be_visible()
    expect(bob_page.locator(".answer-text strong")).to_have_text("begin")
    expect(bob_page.locator(".answer-text li")).to_have_text(["slowly", "together"])
    expect(bob_page.locator(".answer-text blockquote")).to_have_text("you said so")
    expect(bob_page.get_by_text("Private: I am still so angry.")).to_have_count(0)
    expect(bob_page.get_by_text("When both: the small truth.")).to_have_count(0)
    expect(bob_page.get_by_text("Alice has answered and will share it")).to_be_visible()
    assert_accessible(bob_page)

    # answering privately is no exchange; once bob shares his own, alice's appears
    bob_page.goto(live_server.url + f"/journal/{third.slug}/")
    expect(bob_page.get_by_text("Alice has answered this and will share it")).to_be_visible()
    bob_page.get_by_role("textbox").fill("My own small truth.")
    bob_page.get_by_role("button", name="Save answer").click()
    expect(bob_page.locator(".message-success")).to_contain_text("Your answer is saved")
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("When both: the small truth.")).to_have_count(0)
    bob_page.goto(live_server.url + f"/journal/{third.slug}/")
    bob_page.get_by_label(re.compile("Shared with Alice when we have both")).check()
    bob_page.get_by_role("button", name="Save answer").click()
    expect(bob_page.locator(".message-success")).to_contain_text("Your answer is saved")
    expect(bob_page.locator("[data-who-can-read]")).to_have_text(
        "Alice can read this: you have both shared your answers."
    )
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("When both: the small truth.")).to_be_visible()
    expect(bob_page.get_by_text("Private: I am still so angry.")).to_have_count(0)

    # alice unlinks; bob at once sees nothing of hers
    alice_page.goto(live_server.url + "/us/")
    alice_page.get_by_role("link", name="Unlink our accounts").click()
    expect(alice_page.get_by_role("heading", name="First, is it you?")).to_be_visible()
    alice_page.get_by_label("Password").fill(PASSWORD)
    alice_page.get_by_role("button", name="Continue").click()
    expect(alice_page.get_by_role("button", name="Yes, unlink our accounts")).to_be_visible()
    assert_accessible(alice_page)
    alice_page.get_by_role("button", name="Yes, unlink our accounts").click()
    expect(alice_page.get_by_text("no longer linked")).to_be_visible()

    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_role("heading", name="Invite your spouse")).to_be_visible()
    expect(bob_page.get_by_text("Shared: I want us to begin again.")).to_have_count(0)
    expect(bob_page.get_by_text("Alice")).to_have_count(0)

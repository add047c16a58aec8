"""An agreement from a couple exercise, in real Chromium, each spouse in their own browser
context: alice writes it down from the lesson and offers it, bob agrees, both see it, and
unlinking ends the share. Plus the journal offering each role its own questions."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from course.models import Lesson
from tests.conftest import PASSWORD, assert_accessible, sign_in
from tests.factories import complete, link, publish_role_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
WORDING = "For 30 days I show you my messages after dinner, and tell you if she writes."


@SIZES
def test_alice_offers_an_openness_agreement_bob_agrees_and_unlinking_ends_it(
    two_browsers, live_server, content, alice, bob, size
):
    link(alice, bob)
    complete(
        alice,
        *Lesson.objects.exclude(slug="an-openness-agreement").values_list("slug", flat=True),
    )
    alice_page, bob_page = two_browsers
    for each in two_browsers:
        each.set_viewport_size(size)
    sign_in(alice_page, live_server, alice.email)
    sign_in(bob_page, live_server, bob.email)

    # alice writes it down from the exercise: private at first
    alice_page.goto(live_server.url + "/course/an-openness-agreement/")
    alice_page.get_by_role("link", name="Write it down in Trellis").click()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text("Our openness agreement")
    assert_accessible(alice_page)
    alice_page.get_by_label("Your agreement, in your own words").fill(WORDING)
    review = timezone.localdate() + timedelta(days=30)
    alice_page.get_by_label("When will you look at it again together?").fill(review.isoformat())
    alice_page.get_by_role("button", name="Save it for me").click()
    expect(alice_page.get_by_text("Only you can see it until you offer it.")).to_be_visible()
    assert_accessible(alice_page)

    bob_page.goto(live_server.url + "/agreements/")
    expect(bob_page.get_by_text(WORDING)).to_have_count(0)
    expect(bob_page.get_by_role("heading", name="Offered to you")).to_have_count(0)

    # she offers it; bob finds it from the couple's page and agrees
    alice_page.get_by_role("button", name="Offer it to Bob").click()
    expect(alice_page.get_by_text("It is agreed only if your spouse chooses")).to_be_visible()
    expect(alice_page.get_by_role("button", name="I agree to this wording")).to_have_count(0)

    bob_page.goto(live_server.url + "/us/")
    bob_page.get_by_role("link", name="your agreements page").click()
    bob_page.get_by_role("link", name="Our openness agreement").first.click()
    expect(bob_page.get_by_text(WORDING)).to_be_visible()
    assert_accessible(bob_page)
    bob_page.get_by_role("button", name="I agree to this wording").click()
    expect(bob_page.get_by_text("You have agreed to it.")).to_be_visible()

    alice_page.reload()
    expect(alice_page.get_by_text("Agreed", exact=True)).to_be_visible()
    expect(alice_page.get_by_role("button", name="I no longer agree")).to_be_visible()
    agreement_url = alice_page.url

    # alice unlinks: bob no longer sees it; alice still has it
    alice_page.goto(live_server.url + "/us/unlink/")
    alice_page.get_by_label("Password").fill(PASSWORD)
    alice_page.get_by_role("button", name="Continue").click()
    alice_page.get_by_role("button", name="Yes, unlink our accounts").click()
    expect(alice_page.get_by_text("no longer linked")).to_be_visible()

    bob_page.goto(live_server.url + "/agreements/")
    expect(bob_page.get_by_text("Offered to you")).to_have_count(0)
    response = bob_page.goto(agreement_url)
    assert response.status == 404
    alice_page.goto(agreement_url)
    expect(alice_page.get_by_text(WORDING)).to_be_visible()


@SIZES
def test_the_journal_offers_a_spouse_the_questions_for_their_role(
    page, live_server, settings, tmp_path, alice, size
):
    publish_role_lesson(settings, tmp_path)
    alice.role = Role.BROKE
    alice.save(update_fields=["role"])
    page.set_viewport_size(size)
    sign_in(page, live_server, alice.email)

    page.goto(live_server.url + "/journal/")
    expect(page.get_by_role("link", name="What can you offer this week?")).to_be_visible()
    expect(page.get_by_role("link", name="What did you notice together?")).to_be_visible()
    expect(page.get_by_text("What do you need this week?")).to_have_count(0)
    assert_accessible(page)

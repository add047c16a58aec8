"""Sharing between two people, two tabs and two links, in real Chromium (issue 15).

Each test walks a path that once broke a promise: old shares reaching a new partner, a
stale tab sharing again what was withdrawn, "when we have both answered" revealing one
side only, and progress telling a partner which safety lesson a spouse read.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import unlink
from course.models import Answer, Lesson
from tests.conftest import assert_accessible, make_person, sign_in
from tests.factories import answer, complete, lesson_slugs, link, prompt_slugs

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OLD_SHARE = "What I told Bob, back when we were linked."


def saved(page) -> None:
    """Wait for the page "Save answer" leads to: an autosave the click waited for may
    have landed first, and the test must not navigate away under the form's own."""
    expect(page.locator(".message-success").first).to_contain_text("Your answer is saved")


def test_after_an_unlink_a_new_partner_sees_nothing_of_the_past(
    two_browsers, live_server, alice, bob, content, settings
):
    settings.SITE_URL = live_server.url  # invitation links point at the site, as in production
    alice_page, dana_page = two_browsers
    dana = make_person("Dana")
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    link(alice, bob)
    answer(alice, prompt, OLD_SHARE, sharing="shared")
    unlink(user=alice)

    # alice invites dana through the site, dana accepts: a new link
    sign_in(alice_page, live_server, alice.email)
    alice_page.goto(live_server.url + "/us/")
    alice_page.get_by_role("button", name="Create an invitation").click()
    invitation = alice_page.get_by_label("Invitation link").input_value()
    sign_in(dana_page, live_server, dana.email)
    dana_page.goto(invitation)
    dana_page.get_by_role("button", name="Accept and link our accounts").click()
    expect(dana_page.get_by_role("heading", name="Our journey")).to_be_visible()

    expect(dana_page.get_by_text(OLD_SHARE)).to_have_count(0)
    expect(dana_page.get_by_text("Neither of you has shared an answer yet")).to_be_visible()
    assert_accessible(dana_page)
    # alice's own page says what is stored: private, and Dana cannot see it
    alice_page.goto(live_server.url + f"/journal/{prompt}/")
    expect(alice_page.get_by_label("Private: only me")).to_be_checked()
    expect(alice_page.locator("[data-who-can-read]")).to_have_text(
        "Private to you. Dana cannot see it."
    )
    assert Answer.objects.get(author=alice, prompt_id=prompt).shared_with is None


def withdrawn_in_another_tab(page, live_server, alice, bob, text: str):
    """Alice, linked with Bob, shared `text` and opened its page in two tabs; in the
    first she made it private. Returns the question and the second, stale tab, which
    still shows "Shared" ticked."""
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    link(alice, bob)
    answer(alice, prompt, text, sharing="shared")
    sign_in(page, live_server, alice.email)
    stale = page.context.new_page()
    for tab in (page, stale):
        tab.goto(live_server.url + f"/journal/{prompt}/")
        expect(tab.get_by_label("Shared with Bob", exact=True)).to_be_checked()
    page.get_by_label("Private: only me").check()
    page.get_by_role("button", name="Save answer").click()
    saved(page)
    expect(page.get_by_text("Private to you. Bob cannot see it.").first).to_be_visible()
    return prompt, stale


def test_a_stale_tab_cannot_share_again_what_was_withdrawn(
    page, live_server, alice, bob, content, browser
):
    prompt, stale = withdrawn_in_another_tab(
        page, live_server, alice, bob, "Shared, then taken back."
    )

    # the old tab still shows "Shared" ticked; its save must not widen anything
    stale.get_by_role("textbox").fill("Shared, then taken back. And a new line.")
    stale.get_by_role("button", name="Save answer").click()
    expect(stale.get_by_role("heading", name="Two versions of your answer")).to_be_visible()
    expect(stale.locator(".conflict .meta")).to_contain_text("Private to you. Bob cannot see it.")
    assert_accessible(stale)
    stored = Answer.objects.get(author=alice, prompt_id=prompt)
    assert (stored.current_sharing, stored.text) == ("private", "Shared, then taken back.")

    # keeping the stale tab's words does not share them either
    stale.get_by_role("button", name="Keep this version").click()
    stored.refresh_from_db()
    assert stored.text == "Shared, then taken back. And a new line."
    assert stored.current_sharing == "private"

    bob_page = browser.new_context().new_page()
    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("taken back")).to_have_count(0)
    bob_page.context.close()


def test_a_stale_tab_saving_only_its_old_choice_is_told_the_choice_was_not_saved(
    page, live_server, alice, bob, content
):
    prompt, stale = withdrawn_in_another_tab(page, live_server, alice, bob, "Words that stay.")

    # the old tab still shows "Shared" ticked, and its words are the saved words
    stale.get_by_role("button", name="Save answer").click()

    expect(stale.get_by_role("heading", name="Your choice was not saved")).to_be_visible()
    expect(stale.get_by_text("Private to you. Bob cannot see it.")).to_be_visible()
    assert_accessible(stale)
    assert Answer.objects.get(author=alice, prompt_id=prompt).current_sharing == "private"
    stale.get_by_role("link", name="Choose again").click()
    expect(stale.get_by_label("Private: only me")).to_be_checked()


def test_when_both_is_an_exchange_never_one_sided(two_browsers, live_server, alice, bob, content):
    alice_page, bob_page = two_browsers
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    link(alice, bob)
    answer(alice, prompt, "Alice's careful answer.", sharing="when_both")

    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(live_server.url + f"/journal/{prompt}/")
    # before revealing, bob is told exactly what waits and when it shows
    expect(bob_page.get_by_text("Alice has answered this and will share it")).to_be_visible()
    bob_page.get_by_role("textbox").fill("ok")
    bob_page.get_by_role("button", name="Save answer").click()  # kept private
    saved(bob_page)
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("Alice's careful answer.")).to_have_count(0)

    sign_in(alice_page, live_server, alice.email)
    alice_page.goto(live_server.url + f"/journal/{prompt}/")
    expect(alice_page.locator("[data-who-can-read]")).to_have_text(
        "Bob will see this once you have both shared your answers to this question. "
        "Until then neither of you sees the other's."
    )
    alice_page.goto(live_server.url + "/us/")
    expect(alice_page.get_by_text("ok", exact=True)).to_have_count(0)

    bob_page.goto(live_server.url + f"/journal/{prompt}/")
    bob_page.get_by_label(re.compile("Shared with Alice when we have both")).check()
    bob_page.get_by_role("button", name="Save answer").click()
    saved(bob_page)
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("Alice's careful answer.")).to_be_visible()
    alice_page.goto(live_server.url + "/us/")
    expect(alice_page.get_by_text("ok", exact=True)).to_be_visible()

    # withdrawing is immediate, and the exchange closes for both
    bob_page.goto(live_server.url + f"/journal/{prompt}/")
    bob_page.get_by_label("Private: only me").check()
    bob_page.get_by_role("button", name="Save answer").click()
    saved(bob_page)
    bob_page.goto(live_server.url + "/us/")
    expect(bob_page.get_by_text("Alice's careful answer.")).to_have_count(0)
    alice_page.goto(live_server.url + "/us/")
    expect(alice_page.get_by_text("ok", exact=True)).to_have_count(0)


def test_progress_never_tells_which_safety_lesson_a_spouse_read(
    two_browsers, live_server, alice, bob, content
):
    alice_page, bob_page = two_browsers
    link(alice, bob)
    private = Lesson.objects.get(private=True)
    complete(alice, *lesson_slugs("honesty"), private.slug)

    sign_in(alice_page, live_server, alice.email)
    alice_page.goto(live_server.url + private.get_absolute_url())
    expect(alice_page.get_by_role("heading", name=private.title)).to_be_visible()
    # its questions are private-only: no share control at all
    expect(alice_page.get_by_role("group", name="Who can see this answer")).to_have_count(0)
    expect(alice_page.get_by_text("Answers to this lesson's questions are never shared.").first)
    assert_accessible(alice_page)

    sign_in(bob_page, live_server, bob.email)
    bob_page.goto(live_server.url + "/us/")
    alice_card = bob_page.locator(".card", has=bob_page.get_by_role("heading", name="Alice"))
    others = Lesson.objects.filter(stage=private.stage, private=False).count()
    expect(alice_card).to_contain_text(f"Safety: 0 of {others} lessons")
    expect(bob_page.get_by_text(private.title)).to_have_count(0)

    # alice chooses to show less, then nothing
    alice_page.goto(live_server.url + "/account/")
    alice_page.get_by_label("Only the stages I have finished").check()
    alice_page.get_by_role("button", name="Save").click()
    bob_page.goto(live_server.url + "/us/")
    expect(alice_card).to_contain_text("Honesty: finished")
    expect(alice_card).not_to_contain_text("Safety")
    alice_page.goto(live_server.url + "/account/")
    alice_page.get_by_label("Nothing").check()
    alice_page.get_by_role("button", name="Save").click()
    bob_page.goto(live_server.url + "/us/")
    expect(alice_card).to_contain_text("Alice keeps their progress to themselves for now.")
    expect(alice_card).not_to_contain_text("Honesty")
    assert_accessible(bob_page)


def test_a_stale_tab_changing_only_who_can_read_is_told_on_the_spot_and_shown_what_is_stored(
    page, live_server, alice, bob, content
):
    prompt, stale = withdrawn_in_another_tab(page, live_server, alice, bob, "Words that stay.")
    posts = []
    stale.on("request", lambda request: posts.append(request) if request.method == "POST" else 0)

    # in the old tab, only the choice changes: it saves at once, and is refused
    stale.get_by_label(re.compile("Shared with Bob when we have both")).check()

    status = stale.locator("[data-save-status]")
    expect(status).to_contain_text("was not saved")
    expect(status).to_contain_text("Private to you. Bob cannot see it.")
    expect(stale.get_by_label("Private: only me")).to_be_checked()
    expect(stale.locator("[data-who-can-read]")).to_have_text("Private to you. Bob cannot see it.")
    assert stale.url.endswith(f"/journal/{prompt}/")
    assert len(posts) == 1, "the refused choice must never be sent again on its own"
    assert_accessible(stale)
    stored = Answer.objects.get(author=alice, prompt_id=prompt)
    assert (stored.current_sharing, stored.version) == ("private", 2)

    # choosing again opens the answer as it is now, where the choice saves
    stale.get_by_role("link", name="Choose again").click()
    expect(stale.get_by_label("Private: only me")).to_be_checked()
    stale.get_by_label(re.compile("Shared with Bob when we have both")).check()
    expect(stale.locator("[data-save-status]")).to_contain_text("Saved. Bob will see this once")
    stored.refresh_from_db()
    assert (stored.current_sharing, stored.version) == ("when_both", 3)


def test_a_stale_tab_narrowing_who_can_read_is_told_its_choice_is_saved(
    page, live_server, alice, bob, content
):
    """Narrowing is applied even from a stale tab; the old tab must say so, not "not
    saved", and send nothing more."""
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    link(alice, bob)
    answer(alice, prompt, "Words that stay.", sharing="shared")
    sign_in(page, live_server, alice.email)
    stale = page.context.new_page()
    for tab in (page, stale):
        tab.goto(live_server.url + f"/journal/{prompt}/")
    page.get_by_label(re.compile("Shared with Bob when we have both")).check()
    expect(page.locator("[data-save-status]")).to_contain_text("Saved. Bob will see this")
    posts = []
    stale.on("request", lambda request: posts.append(request) if request.method == "POST" else 0)

    stale.get_by_label("Private: only me").check()

    status = stale.locator("[data-save-status]")
    expect(status).to_have_text("Saved. Private to you. Bob cannot see it.")
    expect(stale.get_by_label("Private: only me")).to_be_checked()
    assert stale.url.endswith(f"/journal/{prompt}/") and len(posts) == 1
    assert_accessible(stale)
    assert Answer.objects.get(author=alice, prompt_id=prompt).current_sharing == "private"


def test_arrow_keys_passing_over_a_wider_choice_never_share_on_the_way(
    page, live_server, alice, bob, content
):
    """Arrow keys move the tick through the choices one by one, and the browser reports
    each as a change. Going from private to "when we have both" (or back) passes over
    "Shared with Bob": saved on the way, Bob could read the answer for a moment, and he
    was told of a share. A choice made with the keyboard is saved when focus leaves the
    choices, as the writer's last word; a narrower choice, and a click, save at once."""
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    link(alice, bob)
    answer(alice, prompt, "Only for when we have both answered.")
    sign_in(page, live_server, alice.email)
    page.goto(live_server.url + f"/journal/{prompt}/")
    stored = Answer.objects.get(author=alice, prompt_id=prompt)
    status = page.locator("[data-save-status]")

    # She adds a word, and is among the choices before its autosave goes.
    page.locator("textarea[name=text]").press("End")
    page.keyboard.type(" Soon.")
    page.get_by_label("Private: only me").focus()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Shared with Bob", exact=True)).to_be_checked()
    # The words' autosave lands, with the stored choice, not the one passed over.
    expect(status).to_have_text(
        "Your words are saved. The choice you are on is saved when you move on from it."
    )
    assert Answer.objects.get(pk=stored.pk).sharing == "private"
    assert Answer.objects.get(pk=stored.pk).text.endswith("Soon.")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")  # leaving the choices: the one ticked is the choice
    expect(status).to_contain_text("Bob will see this once you have both shared")
    assert Answer.objects.get(pk=stored.pk).sharing == "when_both"

    # Back to private: over "Shared with Bob" again, which waits; withdrawing saves at
    # once, focus or no focus, so a tab closed straight after still withdrew it.
    page.get_by_label("Shared with Bob when we have both shared ours").focus()
    page.keyboard.press("ArrowUp")
    page.wait_for_timeout(800)
    assert Answer.objects.get(pk=stored.pk).sharing == "when_both"
    page.keyboard.press("ArrowUp")
    expect(page.get_by_label("Private: only me")).to_be_checked()
    expect(status).to_have_text("Saved. Private to you. Bob cannot see it.")
    assert Answer.objects.get(pk=stored.pk).sharing == "private"

    # Every save is a version: the first words, " Soon.", when both, private.
    # "Shared with Bob" was never one of them.
    assert Answer.objects.get(pk=stored.pk).version == 4
    # A click is a choice made at once.
    page.get_by_label("Shared with Bob", exact=True).click()
    expect(status).to_have_text("Saved. Bob can read this.")
    assert Answer.objects.get(pk=stored.pk).sharing == "shared"
    assert_accessible(page)

"""POST /quick-exit/ through the URL: the words first, then the end of the session."""

import pytest

from accounts.models import Notice
from course.journal import save_answer
from course.models import Answer, Prompt, Sharing
from tests.factories import link
from tests.test_autosave import JSON, signed_in


@pytest.fixture
def prompts(content):
    return list(
        Prompt.objects.filter(lesson__stage__slug="honesty").order_by("lesson__order", "order")[:2]
    )


def drafts(*items: dict) -> dict:
    data = {"draft-TOTAL_FORMS": str(len(items)), "draft-INITIAL_FORMS": "0"}
    for index, item in enumerate(items):
        data.update({f"draft-{index}-{name}": value for name, value in item.items()})
    return data


def signed_out(browser) -> bool:
    return browser.get("/journal/").status_code == 302


def test_quick_exit_saves_every_draft_then_signs_out(alice, prompts):
    browser = signed_in(alice)
    first, second = prompts
    response = browser.post(
        "/quick-exit/",
        drafts(
            {"prompt": first.slug, "text": "One.", "base_version": "0", "sharing": ""},
            {"prompt": second.slug, "text": "Two.", "base_version": "0", "sharing": ""},
        ),
        headers=JSON,
    )

    assert response.status_code == 200
    assert sorted(response.json()["saved"]) == sorted([first.slug, second.slug])
    assert response.json()["signed_out"] is True
    assert {a.prompt_id: a.text for a in Answer.objects.filter(author=alice)} == {
        first.slug: "One.",
        second.slug: "Two.",
    }
    assert signed_out(browser)


def test_quick_exit_with_nothing_to_save_still_signs_out(alice):
    browser = signed_in(alice)
    response = browser.post("/quick-exit/", drafts(), headers=JSON)
    assert response.status_code == 200
    assert response.json() == {"saved": [], "signed_out": True}
    assert signed_out(browser)


def test_a_malformed_quick_exit_saves_nothing_and_still_signs_out(alice, prompts):
    browser = signed_in(alice)
    no_text = drafts({"prompt": prompts[0].slug, "base_version": "0"})
    for data in ({"draft-TOTAL_FORMS": "many"}, no_text, {"junk": "x"}):
        browser = signed_in(alice)
        response = browser.post("/quick-exit/", data, headers=JSON)
        assert response.status_code == 200
        assert response.json()["saved"] == []
        assert signed_out(browser)
    assert not Answer.objects.filter(author=alice).exists()


def test_words_meeting_a_newer_version_are_not_written_over_and_the_writer_is_told(alice, prompts):
    prompt = prompts[0]
    save_answer(author=alice, prompt=prompt, text="Saved elsewhere.", base_version=0)
    browser = signed_in(alice)
    response = browser.post(
        "/quick-exit/",
        drafts({"prompt": prompt.slug, "text": "Stale tab.", "base_version": "0"}),
        headers=JSON,
    )

    assert response.status_code == 200
    assert response.json()["saved"] == []
    assert Answer.objects.get(author=alice).text == "Saved elsewhere."
    assert Notice.objects.filter(user=alice, kind=Notice.Kind.KEPT_IN_BROWSER).count() == 1


def test_a_question_not_open_to_the_writer_is_not_saved(alice, content):
    locked = Prompt.objects.filter(lesson__stage__slug="trust").first()
    browser = signed_in(alice)
    response = browser.post(
        "/quick-exit/",
        drafts({"prompt": locked.slug, "text": "Too early.", "base_version": "0"}),
        headers=JSON,
    )
    assert response.status_code == 200
    assert response.json()["saved"] == []
    assert not Answer.objects.filter(author=alice).exists()


def test_a_share_chosen_just_before_leaving_tells_the_partner(alice, bob, prompts):
    link(alice, bob)
    browser = signed_in(alice)
    prompt = prompts[0]
    response = browser.post(
        "/quick-exit/",
        drafts(
            {"prompt": prompt.slug, "text": "For Bob.", "base_version": "0", "sharing": "shared"}
        ),
        headers=JSON,
    )
    assert response.status_code == 200
    assert Answer.objects.get(author=alice).current_sharing == Sharing.SHARED
    assert Notice.objects.filter(user=bob, kind=Notice.Kind.SHARED).exists()


def test_quick_exit_needs_a_signed_in_post(client, alice):
    assert client.post("/quick-exit/", drafts(), headers=JSON).status_code == 401
    assert signed_in(alice).get("/quick-exit/").status_code == 405


def test_words_brought_back_from_a_draft_keep_the_saved_wording_as_a_version(alice, prompts):
    prompt = prompts[0]
    save_answer(author=alice, prompt=prompt, text="Saved on the phone.", base_version=0)
    browser = signed_in(alice)
    response = browser.post(
        "/quick-exit/",
        drafts(
            {"prompt": prompt.slug, "text": "Brought back.", "base_version": "1", "keep_both": "1"}
        ),
        headers=JSON,
    )
    assert response.status_code == 200
    answer = Answer.objects.get(author=alice)
    assert answer.text == "Brought back."
    assert sorted(answer.versions.values_list("text", flat=True)) == [
        "Brought back.",
        "Saved on the phone.",
    ]


def test_words_too_long_to_save_stay_in_the_browser_without_a_misleading_notice(
    alice, prompts, settings
):
    settings.JOURNAL_MAX_CHARS = 10
    browser = signed_in(alice)
    response = browser.post(
        "/quick-exit/",
        drafts({"prompt": prompts[0].slug, "text": "Far too long for it.", "base_version": "0"}),
        headers=JSON,
    )
    assert response.status_code == 200
    assert response.json()["saved"] == []
    assert not Answer.objects.filter(author=alice).exists()
    assert not Notice.objects.filter(user=alice, kind=Notice.Kind.KEPT_IN_BROWSER).exists()


def test_a_quick_exit_from_another_persons_page_saves_none_of_its_words(alice, bob, prompts):
    """Alice's page, left open on a browser where bob has signed in since: its quick
    exit must not save her words into bob's journal. They stay in the browser."""
    browser = signed_in(bob)
    data = drafts({"prompt": prompts[0].slug, "text": "Alice's.", "base_version": "0"})
    response = browser.post("/quick-exit/", {**data, "writer": str(alice.pk)}, headers=JSON)

    assert response.status_code == 200
    assert response.json()["saved"] == []
    assert not Answer.objects.exists()

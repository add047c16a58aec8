"""Paths a careful review found between two links, two tabs and two wordings."""

from django.core import mail

from accounts.services import unlink
from course.models import Answer, AnswerVersion, Lesson
from tests.conftest import make_person
from tests.factories import answer, complete, lesson_slugs, link, prompt_slugs, signed_in

JSON = {"Accept": "application/json"}


def _first_prompt() -> str:
    return prompt_slugs(lesson_slugs("honesty")[0])[0]


def test_a_tab_from_before_an_unlink_cannot_share_with_the_next_link(alice, bob, content):
    dana = make_person("Dana")
    prompt = _first_prompt()
    link(alice, bob)
    shared = answer(alice, prompt, "Meant for Bob, back then.", sharing="shared")
    old_tab_version = shared.version
    unlink(user=alice)
    link(alice, dana)

    # The old tab still has "Shared" ticked and the version it was drawn with.
    stale = signed_in(alice).post(
        f"/journal/{prompt}/",
        {
            "text": "Meant for Bob, back then. More.",
            "base_version": old_tab_version,
            "sharing": "shared",
        },
        headers=JSON,
    )

    assert stale.status_code == 409
    stored = Answer.objects.get(author=alice, prompt_id=prompt)
    assert (stored.current_sharing, stored.sharing, stored.shared_with) == (
        "private",
        "private",
        None,
    )
    assert "Meant for Bob" not in signed_in(dana).get("/us/").content.decode()


def test_a_page_drawn_after_the_unlink_shows_private_and_can_share_anew(alice, bob, content):
    dana = make_person("Dana")
    prompt = _first_prompt()
    link(alice, bob)
    answer(alice, prompt, "Once shared.", sharing="shared")
    unlink(user=alice)
    link(alice, dana)
    browser = signed_in(alice)

    page = browser.get(f"/journal/{prompt}/")
    assert page.status_code == 200
    stored = Answer.objects.get(author=alice, prompt_id=prompt)
    assert stored.sharing == "private", "the page shows what is stored"
    assert f'name="base_version" value="{stored.version}"' in page.content.decode()

    chosen = browser.post(
        f"/journal/{prompt}/",
        {"text": "Once shared.", "base_version": stored.version, "sharing": "shared"},
        headers=JSON,
    )
    assert chosen.status_code == 200
    assert "Once shared." in signed_in(dana).get("/us/").content.decode()


def test_the_stage_email_never_tells_whether_a_private_lesson_was_read(alice, bob, content):
    link(alice, bob)
    bob.notify_by_email = True
    bob.save()
    complete(alice, *lesson_slugs("honesty"))
    private = Lesson.objects.get(private=True)
    others = [s for s in lesson_slugs(private.stage.slug) if s != private.slug]
    browser = signed_in(alice)
    for slug in others:
        assert browser.post(f"/course/{slug}/complete/").status_code == 302
    told = len(mail.outbox)

    browser.post(f"/course/{private.slug}/complete/")

    assert told == 1, "the stage was finished as bob sees it: without the private lesson"
    assert len(mail.outbox) == told, "finishing the private lesson tells nobody"


def test_keeping_my_version_on_the_conflict_page_keeps_the_other_in_the_history(alice, content):
    prompt = _first_prompt()
    answer(alice, prompt, "The first tab's words.")
    answer(alice, prompt, "The second tab's words.")  # within minutes: one version
    stored = Answer.objects.get(author=alice, prompt_id=prompt)

    kept = signed_in(alice).post(
        f"/journal/{prompt}/",
        {"text": "The first tab's words, kept.", "base_version": stored.version, "keep_both": "1"},
    )

    assert kept.status_code == 302
    texts = [v.text for v in AnswerVersion.objects.filter(answer=stored).order_by("version")]
    assert texts[-2:] == ["The second tab's words.", "The first tab's words, kept."]


def test_a_form_without_its_text_never_empties_the_answer(alice, content):
    prompt = _first_prompt()
    saved = answer(alice, prompt, "Words that must stay.")

    response = signed_in(alice).post(f"/journal/{prompt}/", {"base_version": saved.version})

    assert response.status_code == 400
    assert "Part of the form did not come through" in response.content.decode()
    assert "Words that must stay." in response.content.decode()
    assert Answer.objects.get(pk=saved.pk).text == "Words that must stay."


def test_the_export_holds_the_replies_a_spouse_wrote(alice, bob, content):
    link(alice, bob)
    shared = answer(alice, _first_prompt(), "Shared.", sharing="shared")
    signed_in(bob).post(f"/us/answers/{shared.pk}/reply/", {"kind": "words", "text": "Me too."})
    unlink(user=bob)

    data = signed_in(bob).get("/account/export.json")

    assert data.status_code == 200
    replies = data.json()["replies"]
    assert [(r["text"], r["in_current_link"]) for r in replies] == [("Me too.", False)]

"""The private journal through its URLs: saving, conflicts, limits, escaping, sharing,
history, search, export, and what must never leak (to the database in plain text, to
the other spouse, to caches, logs or email). alice writes; bob is her spouse, whose
answers she must not see unless he shares them."""

import json
import logging
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from course.models import Answer, AnswerVersion, Prompt, Sharing
from tests.factories import (
    answer,
    copy_real_content,
    lesson_slugs,
    link,
    prompt_slugs,
    signed_in,
    sync,
    write_course,
)

SECRET = "the blue lighthouse behind the bakery"
LIMIT_MESSAGE = "the limit is 50,000"


@pytest.fixture
def prompt(content) -> str:
    """A question from the first lesson, which everyone may answer."""
    return prompt_slugs(lesson_slugs("honesty")[0])[0]


def post_answer(
    client, prompt: str, text: str, base_version: int = 0, *, as_json=False, follow=False, **data
):
    headers = {"Accept": "application/json"} if as_json else {}
    payload = {"text": text, "base_version": base_version, **data}
    return client.post(f"/journal/{prompt}/", payload, headers=headers, follow=follow)


def stored(user, prompt: str) -> Answer | None:
    return Answer.objects.filter(author=user, prompt_id=prompt).first()


def age_versions(hours: int = 1) -> None:
    """Make earlier saves look old, so the next save starts a new version."""
    AnswerVersion.objects.update(saved_at=F("saved_at") - timedelta(hours=hours))


def textarea_value(html: str) -> str:
    found = re.search(r'<textarea name="text"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert found, "no answer textarea"
    return found[1]


# --- stored safely ----------------------------------------------------------------------


def test_answers_and_their_versions_are_encrypted_in_the_database(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, SECRET)
    age_versions()
    post_answer(client, prompt, SECRET + ", and the harbour", base_version=1)

    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM course_answer")
        answers = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT text FROM course_answerversion")
        versions = [row[0] for row in cursor.fetchall()]

    assert len(answers) == 1 and len(versions) == 2
    for raw in answers + versions:
        assert raw.startswith("gAAAA")
        assert "lighthouse" not in raw
    assert stored(alice, prompt).text == SECRET + ", and the harbour"


def test_saving_again_updates_one_answer_per_spouse_and_bumps_the_version(
    client, alice, bob, prompt
):
    client.force_login(alice)
    first = post_answer(client, prompt, "First thoughts.")
    second = post_answer(client, prompt, "Second thoughts.", base_version=1, as_json=True)
    client.force_login(bob)
    post_answer(client, prompt, "Bob's thoughts.")

    assert first.status_code == 302
    assert second.status_code == 200
    assert second.json()["version"] == 2
    assert second.json()["saved_at"]
    assert Answer.objects.filter(prompt_id=prompt).count() == 2
    assert (stored(alice, prompt).text, stored(alice, prompt).version) == ("Second thoughts.", 2)
    assert (stored(bob, prompt).text, stored(bob, prompt).version) == ("Bob's thoughts.", 1)


def test_quick_successive_saves_refine_one_version(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, "One.", as_json=True)
    post_answer(client, prompt, "One, two.", base_version=1, as_json=True)
    post_answer(client, prompt, "One, two, three.", base_version=2, as_json=True)

    versions = list(AnswerVersion.objects.values_list("version", flat=True))

    assert stored(alice, prompt).version == 3
    assert versions == [3]


def test_a_stale_autosave_is_refused_as_a_conflict(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, "Written in the first tab.")
    post_answer(client, prompt, "Edited in the second tab.", base_version=1)
    before = list(AnswerVersion.objects.values_list("version", "text"))

    response = post_answer(client, prompt, "Late save from the first tab.", 1, as_json=True)

    assert response.status_code == 409
    assert response.json() == {"conflict": True}
    assert (stored(alice, prompt).text, stored(alice, prompt).version) == (
        "Edited in the second tab.",
        2,
    )
    assert list(AnswerVersion.objects.values_list("version", "text")) == before


def test_a_stale_form_post_shows_both_texts_and_changes_nothing(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, "Written in the first tab.")
    post_answer(client, prompt, "Edited in the second tab.", base_version=1)

    response = post_answer(client, prompt, "Late save from the first tab.", base_version=1)
    html = response.content.decode()

    assert response.status_code == 409
    assert "Late save from the first tab.</textarea>" in html
    assert "Edited in the second tab.</textarea>" in html
    assert '<input type="hidden" name="base_version" value="2">' in html
    assert stored(alice, prompt).text == "Edited in the second tab."
    assert stored(alice, prompt).version == 2


def test_an_unreadable_autosave_is_refused(client, alice, prompt):
    client.force_login(alice)

    response = client.post(
        f"/journal/{prompt}/", {"text": "No version."}, headers={"Accept": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["error"]
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    "damage", [{"base_version": ""}, {"base_version": "x"}, {"sharing": "everyone"}]
)
def test_a_damaged_form_says_so_keeps_the_words_and_saves_on_the_next_try(
    client, alice, bob, prompt, damage
):
    link(alice, bob)
    client.force_login(alice)
    post_answer(client, prompt, "The first wording.", sharing=Sharing.SHARED)
    words = "Words I must not lose."

    refused = post_answer(client, prompt, words, **{"base_version": 1, **damage})
    html = refused.content.decode()

    assert refused.status_code == 400
    assert "Part of the form did not come through, so nothing was saved." in html
    assert textarea_value(html) == words
    assert '<input type="hidden" name="base_version" value="1"' in html
    assert re.search(r'value="shared" id="[^"]+" checked', html), "the stored choice is kept"
    assert stored(alice, prompt).text == "The first wording."

    again = re.search(r'name="base_version" value="(\d+)"', html)[1]
    saved = post_answer(client, prompt, textarea_value(html), int(again), sharing="shared")
    assert saved.status_code == 302
    assert stored(alice, prompt).text == words


# --- limits and odd input -----------------------------------------------------------------


def test_a_one_megabyte_autosave_is_refused_with_the_limit(client, alice, prompt):
    client.force_login(alice)

    response = post_answer(client, prompt, "word " * 200_000, as_json=True)

    assert response.status_code == 413
    assert LIMIT_MESSAGE in response.json()["error"]
    assert "1,000,000 characters" in response.json()["error"]
    assert not Answer.objects.exists()


def test_a_one_megabyte_form_post_keeps_the_typed_text_on_the_page(client, alice, prompt):
    huge = "word " * 199_999 + "LAST-WORD"
    client.force_login(alice)

    response = post_answer(client, prompt, huge)
    html = response.content.decode()

    assert response.status_code == 413
    assert LIMIT_MESSAGE in html
    assert textarea_value(html) == huge
    assert not Answer.objects.exists()


def test_a_too_long_edit_keeps_the_saved_answer(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, "A sensible answer.")

    response = post_answer(client, prompt, "x" * 50_001, base_version=1)

    assert response.status_code == 413
    assert (stored(alice, prompt).text, stored(alice, prompt).version) == ("A sensible answer.", 1)


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_an_empty_first_answer_saves_nothing(client, alice, prompt, text):
    client.force_login(alice)

    page = post_answer(client, prompt, text, follow=True)
    autosave = post_answer(client, prompt, text, as_json=True)

    assert "Nothing to save yet" in page.content.decode()
    assert autosave.json() == {
        "version": 0,
        "saved_at": "",
        "sharing": "private",
        "who_can_read": "Private to you. Once you link accounts with your spouse, you can "
        "choose to share.",
        "partner_note": "",
    }
    assert not Answer.objects.exists()


def test_html_in_an_answer_shows_as_text_everywhere(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, '<script>alert("hi")</script> and <img src=x onerror=alert(1)>')
    lesson = lesson_slugs("honesty")[0]

    for url in [
        "/journal/",
        f"/journal/{prompt}/",
        f"/journal/{prompt}/history/",
        "/journal/workbook/",
        f"/course/{lesson}/",
    ]:
        html = client.get(url).content.decode()
        assert "&lt;script&gt;" in html, url
        assert "<script>alert" not in html, url
        assert "<img src=x" not in html, url


def test_emoji_right_to_left_and_combining_marks_are_kept_exactly(alice, prompt):
    text = (
        "We laughed 💑🏽 👨‍👩‍👧‍👦 again.\n"
        "אני סומכת עליך — أثق بك\u200f\n"
        "Cafe\u0301 and n\u0303 stay decomposed; \ufdfd and \U0001d4afrust too."
    )
    client = signed_in(alice)

    post_answer(client, prompt, text)
    exported = json.loads(client.get("/journal/export.json").content)
    page = client.get(f"/journal/{prompt}/").content.decode()

    assert stored(alice, prompt).text == text
    assert exported["answers"][0]["answer"] == text
    assert textarea_value(page) == text


def test_nul_bytes_are_dropped_and_the_rest_saved(client, alice, prompt):
    client.force_login(alice)

    page = post_answer(client, prompt, "before\x00after")
    autosave = post_answer(client, prompt, "before\x00after, again", 1, as_json=True)

    assert page.status_code == 302
    assert autosave.status_code == 200
    assert stored(alice, prompt).text == "beforeafter, again"


def test_a_question_in_a_locked_lesson_cannot_be_answered(client, alice, content):
    locked = prompt_slugs(lesson_slugs("trust")[0])[0]
    client.force_login(alice)

    assert client.get(f"/journal/{locked}/").status_code == 404
    assert post_answer(client, locked, "Too early.").status_code == 404
    assert not Answer.objects.exists()


def test_an_answer_to_a_retired_question_is_kept_and_exported(alice, tmp_path, settings):
    folder = copy_real_content(tmp_path)
    sync(settings, folder)
    lesson = lesson_slugs("honesty")[-1]  # no other lesson links to it
    retired = prompt_slugs(lesson)[0]
    client = signed_in(alice)
    post_answer(client, retired, SECRET)
    next(p for p in folder.rglob("*.md") if f"\nid: {lesson}\n" in p.read_text()).unlink()
    sync(settings, folder)

    journal = client.get("/journal/").content.decode()
    exported = json.loads(client.get("/journal/export.json").content)["answers"]
    markdown = client.get("/journal/export.md").content.decode()
    page = client.get(f"/journal/{retired}/")

    assert Prompt.objects.get(slug=retired).retired_at is not None
    assert SECRET in journal and "(no longer in the course)" in journal
    assert [(row["prompt_id"], row["answer"], row["retired"]) for row in exported] == [
        (retired, SECRET, True)
    ]
    assert SECRET in markdown and "(no longer in the course)" in markdown
    assert page.status_code == 200 and textarea_value(page.content.decode()) == SECRET


# --- sharing ------------------------------------------------------------------------------


def test_an_answer_is_private_until_shared_and_can_be_withdrawn(client, alice, bob, prompt):
    link(alice, bob)
    client.force_login(alice)
    post_answer(client, prompt, "Mine.")
    private = stored(alice, prompt)

    client.post(f"/journal/{prompt}/share/", {"sharing": Sharing.SHARED, "base_version": 1})
    shared = stored(alice, prompt)
    client.post(f"/journal/{prompt}/share/", {"sharing": Sharing.WHEN_BOTH})
    when_both = stored(alice, prompt)
    client.post(f"/journal/{prompt}/share/", {"sharing": Sharing.PRIVATE})
    withdrawn = stored(alice, prompt)

    assert (private.sharing, private.shared_at) == (Sharing.PRIVATE, None)
    assert shared.sharing == Sharing.SHARED and shared.shared_at is not None
    assert when_both.sharing == Sharing.WHEN_BOTH, "narrowing needs no version"
    assert (withdrawn.current_sharing, withdrawn.shared_at) == (Sharing.PRIVATE, None)
    assert [private.version, shared.version, when_both.version, withdrawn.version] == [1, 2, 3, 4]


def shared_then_changed_in_another_tab(client, alice, bob, prompt, text: str, to: str):
    """Alice, linked with Bob, saved `text` shared with him; then, in another tab, she
    changed who can read it to `to`. Her first tab still shows the old choice."""
    link(alice, bob)
    client.force_login(alice)
    post_answer(client, prompt, text, sharing=Sharing.SHARED)
    client.post(f"/journal/{prompt}/share/", {"sharing": to})


def test_a_stale_page_cannot_share_what_was_withdrawn_since(client, alice, bob, prompt):
    shared_then_changed_in_another_tab(client, alice, bob, prompt, "Mine.", Sharing.PRIVATE)

    stale = client.post(
        f"/journal/{prompt}/share/", {"sharing": Sharing.SHARED, "base_version": 1}, follow=True
    )

    assert stale.status_code == 200
    assert "nothing was shared" in stale.content.decode()
    assert stored(alice, prompt).current_sharing == Sharing.PRIVATE


def test_an_invalid_sharing_choice_is_refused(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, "Mine.")

    response = client.post(f"/journal/{prompt}/share/", {"sharing": "everyone"}, follow=True)
    form = post_answer(client, prompt, "Mine, edited.", 1, sharing="everyone")

    assert "Please choose who can see this answer." in response.content.decode()
    assert form.status_code == 400
    assert stored(alice, prompt).sharing == Sharing.PRIVATE
    assert stored(alice, prompt).text == "Mine."


# --- history --------------------------------------------------------------------------------


def test_history_lists_versions_and_restoring_adds_a_new_one(client, alice, prompt):
    client.force_login(alice)
    post_answer(client, prompt, "The first wording.")
    age_versions()
    post_answer(client, prompt, "The second wording.", base_version=1)

    history = client.get(f"/journal/{prompt}/history/").content.decode()
    restored = client.post(f"/journal/{prompt}/history/1/restore/")
    after = client.get(f"/journal/{prompt}/history/").content.decode()

    assert "Version 1<" in history and "Version 2 (current)" in history
    assert "The first wording." in history and "The second wording." in history
    assert restored.status_code == 302
    assert (stored(alice, prompt).text, stored(alice, prompt).version) == ("The first wording.", 3)
    assert list(AnswerVersion.objects.values_list("version", "text")) == [
        (3, "The first wording."),
        (2, "The second wording."),
        (1, "The first wording."),
    ]
    assert "Version 3 (current)" in after and "The second wording." in after


# --- the other spouse -----------------------------------------------------------------------


def test_a_spouse_cannot_reach_the_others_private_answer(alice, bob, prompt):
    post_answer(signed_in(bob), prompt, SECRET)
    client = signed_in(alice)

    assert client.get(f"/journal/{prompt}/history/").status_code == 404
    assert client.post(f"/journal/{prompt}/history/1/restore/").status_code == 404
    assert client.post(f"/journal/{prompt}/share/", {"sharing": "shared"}).status_code == 404
    for url in [
        "/journal/",
        "/journal/?q=lighthouse",
        f"/journal/{prompt}/",
        "/journal/export.json",
        "/journal/export.md",
        "/journal/workbook/",
        f"/course/{lesson_slugs('honesty')[0]}/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert stored(bob, prompt).sharing == Sharing.PRIVATE
    assert json.loads(client.get("/journal/export.json").content)["answers"] == []


def test_one_spouses_answers_never_stay_on_the_workers_copy_of_the_course(alice, bob, prompt):
    """Each worker shares its copy of the course between requests (course.snapshot), so a
    page that put bob's answer on a shared prompt would show it to the next reader."""
    bob_client = signed_in(bob)
    post_answer(bob_client, prompt, SECRET)
    pages = [
        f"/course/{lesson_slugs('honesty')[0]}/",
        "/journal/",
        "/journal/?q=lighthouse",
        "/journal/workbook/",
        f"/journal/{prompt}/",
    ]
    for url in pages:
        assert SECRET in bob_client.get(url).content.decode(), url
    link(alice, bob)
    for url in ["/", "/us/"]:  # pages that read the copy too, without his private answer
        assert bob_client.get(url).status_code == 200, url

    alice_client = signed_in(alice)
    for url in [*pages, "/", "/us/"]:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url
    assert textarea_value(alice_client.get(pages[0]).content.decode()) == ""


def results(html: str) -> str:
    found = re.search(r'<section aria-labelledby="results-title"[^>]*>(.*?)</section>', html, re.S)
    assert found, "no search results section"
    return found[1]


def test_search_finds_own_answers_ignoring_case_and_never_the_spouses(client, alice, bob, prompt):
    others = prompt_slugs(lesson_slugs("honesty")[0])[1:]
    answer(alice, prompt, "We walked to the Lighthouse at dusk.")
    answer(alice, others[0], "Groceries on the Hauptstraße.")
    answer(bob, prompt, "The lighthouse keeper knows what I did.")
    client.force_login(alice)

    lighthouse = results(client.get("/journal/", {"q": "LIGHTHOUSE"}).content.decode())
    strasse = results(client.get("/journal/", {"q": "hauptstrasse"}).content.decode())
    keeper = results(client.get("/journal/", {"q": "keeper"}).content.decode())

    assert "1 answer found" in lighthouse and f'href="/journal/{prompt}/"' in lighthouse
    assert "keeper" not in lighthouse
    assert "1 answer found" in strasse and f'href="/journal/{others[0]}/"' in strasse
    assert "0 answers found" in keeper


# --- nothing kept or sent elsewhere ---------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/journal/",
        "/journal/{prompt}/",
        "/journal/{prompt}/history/",
        "/journal/export.json",
        "/journal/export.md",
        "/journal/workbook/",
        # The lesson page shows the answers in its forms.
        "/course/{lesson}/",
    ],
)
def test_pages_with_journal_text_are_never_cached(alice, prompt, url):
    answer(alice, prompt, SECRET)
    client = signed_in(alice)

    response = client.get(url.format(prompt=prompt, lesson=lesson_slugs("honesty")[0]))

    assert response.status_code == 200
    assert SECRET in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_journal_text_never_reaches_the_logs(client, alice, prompt, settings, caplog):
    # With DEBUG on, Django also logs every SQL statement with its parameters.
    settings.DEBUG = True
    client.force_login(alice)

    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="django"):
        post_answer(client, prompt, SECRET)
        post_answer(client, prompt, SECRET + " again", base_version=1, as_json=True)
        post_answer(client, prompt, SECRET + " stale", base_version=1)
        post_answer(client, prompt, SECRET + "!" * 50_000, base_version=2, as_json=True)
        client.get(f"/journal/{prompt}/history/")

    assert any("course_answer" in record.getMessage() for record in caplog.records)
    assert "lighthouse" not in caplog.text
    assert not any("lighthouse" in record.getMessage() for record in caplog.records)


def test_journal_text_is_never_emailed(client, alice, bob, content, prompt, mailoutbox):
    # Linked spouses who asked for email updates get a notice when the other shares.
    link(alice, bob)
    type(bob).objects.filter(pk__in=[alice.pk, bob.pk]).update(notify_by_email=True)
    client.force_login(alice)
    post_answer(client, prompt, SECRET)
    client.post(f"/journal/{prompt}/share/", {"sharing": "shared"})
    client.force_login(bob)
    post_answer(client, prompt, SECRET, sharing="shared")
    for lesson in lesson_slugs("honesty"):
        client.post(f"/course/{lesson}/complete/")

    assert len(mailoutbox) >= 2
    for message in mailoutbox:
        bodies = [message.subject, message.body, *(body for body, _ in message.alternatives)]
        assert not any("lighthouse" in body for body in bodies)


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/journal/",
        "/journal/?stage=honesty",
        "/journal/?stage=safety",
        "/journal/?stage=trust",
        "/journal/?q=answer",
        "/journal/export.json",
        "/journal/export.md",
    ],
)
def test_journal_pages_take_as_many_queries_for_200_answers_as_for_1(
    url, alice, tmp_path, settings, django_assert_num_queries
):
    # The pages list every question too, so the course grows with the answers:
    # 3 questions and 1 answer, then 200 questions all answered.
    sync(settings, write_course(tmp_path / "small", lessons=3, prompts_per_lesson=1))
    answer(alice, "honesty-01-q1", "An answer to the first question.")
    browser = signed_in(alice)
    with CaptureQueriesContext(connection) as one:
        assert browser.get(url).status_code == 200

    sync(settings, write_course(tmp_path / "large", lessons=10, prompts_per_lesson=20))
    prompts = list(Prompt.objects.current().values_list("slug", flat=True))
    assert len(prompts) == 200
    for slug in prompts:
        if slug != "honesty-01-q1":
            answer(alice, slug, f"An answer to {slug}.")
    with django_assert_num_queries(len(one)):
        response = browser.get(url)
    assert response.status_code == 200
    assert Answer.objects.filter(author=alice).count() == 200
    stage = url.partition("?stage=")[2]
    # A stage asked for opens at its first page; the journal, where the writer left off.
    in_stage = [slug for slug in prompts if slug.startswith(stage)]
    shown = in_stage[1] if stage else in_stage[-1]  # [0] was answered in other words
    assert f"An answer to {shown}." in response.content.decode()


def test_the_sharing_choice_is_offered_only_once_there_is_someone_to_share_with(
    alice, bob, content
):
    """Before linking, choosing "Shared with my spouse" was offered, then undone on saving
    (found by a tester): the page offered what it could not do. It now says sharing comes
    with a link, and offers the choice once the two are linked."""
    from tests.factories import link, signed_in

    slug = Prompt.objects.filter(lesson__stage__slug="honesty").order_by("lesson__order", "order")[
        0
    ]
    browser = signed_in(alice)
    page = browser.get(f"/journal/{slug.slug}/")
    assert page.status_code == 200
    assert 'name="sharing"' not in page.content.decode()
    assert "Once you link accounts with your spouse" in page.content.decode()

    link(alice, bob)
    page = browser.get(f"/journal/{slug.slug}/")
    assert 'name="sharing"' in page.content.decode()


def test_an_answers_pages_take_as_many_queries_with_40_versions_as_with_1(
    alice, prompt, django_assert_num_queries
):
    """Every wording is kept (no word is ever lost), so an answer's pages must not ask
    once per version: its page, its history, and the lesson it belongs to."""
    browser = signed_in(alice)
    post_answer(browser, prompt, "Wording 1.")
    lesson = Prompt.objects.get(slug=prompt).lesson.get_absolute_url()
    urls = (f"/journal/{prompt}/", f"/journal/{prompt}/history/", lesson)
    few = {}
    for url in urls:
        browser.get(url)  # a first visit may write once (the lesson last opened)
        with CaptureQueriesContext(connection) as queries:
            assert browser.get(url).status_code == 200
        few[url] = len(queries)

    for number in range(2, 41):
        age_versions()
        post_answer(browser, prompt, f"Wording {number}.", base_version=number - 1)
    assert AnswerVersion.objects.filter(answer__author=alice).count() == 40

    for url in urls:
        with django_assert_num_queries(few[url]):
            response = browser.get(url)
        assert response.status_code == 200
    assert "Wording 1." in browser.get(f"/journal/{prompt}/history/").content.decode()


def test_a_long_stage_comes_in_pages_opening_where_the_writer_left_off(alice, tmp_path, settings):
    """A stage of many questions is drawn a page at a time (issue 19: drawing 160 rows was
    half of the journal's time); the pages are links, the current one marked, and every
    question of the stage is on exactly one of them."""
    sync(settings, write_course(tmp_path, lessons=9, prompts_per_lesson=25))
    answer(alice, "honesty-01-q1", "First words.")
    answer(alice, "honesty-03-q25", "Latest words.")
    browser = signed_in(alice)

    left_off = browser.get("/journal/")
    assert left_off.status_code == 200
    html = left_off.content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', html)
    assert ("/journal/?stage=honesty&amp;page=2", "Lessons 2 to 3") in current
    assert "Latest words." in html
    assert "First words." not in html

    first = browser.get("/journal/?stage=honesty&page=1")
    assert first.status_code == 200
    assert "First words." in first.content.decode()
    assert "Latest words." not in first.content.decode()

    asked_for_stage = browser.get("/journal/?stage=honesty")
    assert asked_for_stage.status_code == 200
    assert "First words." in asked_for_stage.content.decode()

    def questions(page_html: str) -> list[str]:
        return re.findall(r'href="/journal/(honesty-[^/"]+)/"', page_html)

    on_pages = questions(first.content.decode()) + questions(html)
    assert sorted(on_pages) == sorted(
        Prompt.objects.current()
        .filter(lesson__stage__slug="honesty")
        .values_list("slug", flat=True)
    )
    assert len(on_pages) == 75


def test_the_workbook_draws_each_answer_on_its_own(content, alice):
    """One answer's Markdown never reaches into the next one's: a link reference
    typed in the first stays a plain bracket in the second (and shows as typed in the
    first), and lists end where their answer ends."""
    first, second, third = prompt_slugs(lesson_slugs("honesty")[0])[:3]
    answer(alice, first, "- one thing I noticed\n- another\n\n[the note]: https://example.test/")
    answer(alice, second, "I keep coming back to [the note].")
    answer(alice, third, "Just *this*.")

    response = signed_in(alice).get("/journal/workbook/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<ul>\n<li>one thing I noticed</li>\n<li>another</li>\n</ul>" in page
    assert "<p>I keep coming back to [the note].</p>" in page
    assert "<p>Just <em>this</em>.</p>" in page
    # Links are not offered to answers: the line shows as typed, never as a link.
    assert "<p>[the note]: https://example.test/</p>" in page
    assert 'href="https://example.test' not in page


def test_a_list_typed_straight_under_a_line_is_drawn_as_a_list(content, alice):
    """People type "Things:" and the list on the next line; Markdown wants a blank line
    between them, and without one the dashes showed as typed, joined by line breaks."""
    prompt = prompt_slugs(lesson_slugs("honesty")[0])[0]
    answer(alice, prompt, "What I want to keep:\n- the walks\n- the Sunday calls\n\nThat is all.")

    response = signed_in(alice).get("/journal/workbook/")

    assert response.status_code == 200
    page = response.content.decode()
    assert (
        "<p>What I want to keep:</p>\n<ul>\n<li>the walks</li>\n<li>the Sunday calls</li>\n</ul>"
        in page
    )
    assert "<p>That is all.</p>" in page


def test_the_journal_previews_an_answer_as_plain_words_without_its_marks(content, alice):
    """A preview is a cut excerpt: the promised Markdown marks come out rather than
    being drawn, so neither raw asterisks nor HTML cut mid-tag reach the list; list
    items keep a bullet so they read apart; what answers never format (a heading, HTML
    typed as words) shows as typed, as it does when the answer is drawn whole."""
    first, second = prompt_slugs(lesson_slugs("honesty")[0])[:2]
    answer(
        alice,
        first,
        "## Today\nI mean it **plainly**, and *softly*:\n\n- one step\n- then another\n\n"
        "> what you said\n\n5 * 3 * 2 and snake_case stay as typed. " + "More words. " * 30,
    )
    answer(alice, second, "Not <b>bold</b> but **strong**")

    response = signed_in(alice).get("/journal/?stage=honesty")

    assert response.status_code == 200
    previews = re.findall(r'<p class="preview">(.*?)</p>', response.content.decode())
    assert previews[:2] == [
        "## Today I mean it plainly, and softly: • one step • then another what you said "
        "5 * 3 * 2 and snake_case stay as typed. More words. More words. More words. Mor…",
        "Not &lt;b&gt;bold&lt;/b&gt; but strong",
    ]


def test_a_stage_counts_only_the_answers_that_hold_words(content, alice):
    """An answer emptied out is kept (its versions hold the words), but the stage's
    count says what the journal holds now."""
    first, second, third = prompt_slugs(lesson_slugs("honesty")[0])[:3]
    answer(alice, first, "Something I had not said.")
    answer(alice, second, "Something else.")
    answer(alice, third, "Written, then taken out.")
    answer(alice, third, "")
    total = sum(len(prompt_slugs(lesson)) for lesson in lesson_slugs("honesty"))

    response = signed_in(alice).get("/journal/?stage=honesty")

    assert response.status_code == 200
    tab = re.search(r'<a href="/journal/\?stage=honesty"[^>]*>.*?</a>', response.content.decode())
    assert f'2 of {total}<span class="visually-hidden"> answered' in tab[0]


def test_after_an_unlink_the_journal_says_private_and_stores_it(content, alice, bob, prompt):
    from accounts.services import unlink

    link(alice, bob)
    shared = answer(alice, prompt, "Written while we were linked.", sharing=Sharing.SHARED)
    unlink(user=bob)

    response = signed_in(alice).get("/journal/?stage=honesty")

    assert response.status_code == 200
    row = re.search(rf'<a href="/journal/{prompt}/">.*?</li>', response.content.decode(), re.S)
    assert '<p class="meta">Private: only me · saved' in row[0]
    stored_now = stored(alice, prompt)
    assert (stored_now.sharing, stored_now.version) == (Sharing.PRIVATE, shared.version + 1)


def test_a_stale_tab_that_changed_only_the_choice_is_told_its_choice_was_not_saved(
    client, alice, bob, prompt
):
    """A stale tab whose words are the saved words, and which only chose to share: the
    page says plainly that the choice was not saved and who can read the answer now,
    instead of offering "two versions" that are the same."""
    shared_then_changed_in_another_tab(
        client, alice, bob, prompt, "The same words in both tabs.", Sharing.PRIVATE
    )

    response = post_answer(
        client, prompt, "The same words in both tabs.", base_version=1, sharing=Sharing.SHARED
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "<h1>Your choice was not saved</h1>" in page
    assert "Private to you. Bob cannot see it." in page
    assert f'href="/journal/{prompt}/"' in page
    assert "Two versions" not in page and "<textarea" not in page
    assert stored(alice, prompt).current_sharing == Sharing.PRIVATE


def test_a_stale_autosave_that_changed_only_the_choice_is_told_who_can_read_now(
    client, alice, bob, prompt
):
    """The script of a stale tab whose words are the saved words (sent with the line
    endings a browser sends) is told what is stored, so it can say the choice was not
    saved and show the choice in force, without sending it again."""
    shared_then_changed_in_another_tab(
        client, alice, bob, prompt, "Two lines,\nthe same in both tabs.", Sharing.PRIVATE
    )

    response = post_answer(
        client,
        prompt,
        "Two lines,\r\nthe same in both tabs.",
        base_version=1,
        as_json=True,
        sharing=Sharing.WHEN_BOTH,
    )

    assert response.status_code == 409
    assert response.json() == {
        "conflict": True,
        "sharing": Sharing.PRIVATE,
        "who_can_read": "Private to you. Bob cannot see it.",
        "partner_note": "",
    }
    assert (stored(alice, prompt).current_sharing, stored(alice, prompt).version) == (
        Sharing.PRIVATE,
        2,
    )


def test_a_stale_tab_that_only_narrowed_the_choice_is_told_it_is_saved(client, alice, bob, prompt):
    """Narrowing is always applied, even from a stale tab: when its words are the saved
    words, nothing waits on a conflict page, and the page must not say "not saved"."""
    shared_then_changed_in_another_tab(
        client, alice, bob, prompt, "Two lines,\nthe same in both tabs.", Sharing.WHEN_BOTH
    )

    response = post_answer(
        client,
        prompt,
        "Two lines,\r\nthe same in both tabs.",
        base_version=1,
        sharing=Sharing.PRIVATE,
        follow=True,
    )

    assert response.status_code == 200
    assert response.redirect_chain == [
        (f"/course/{lesson_slugs('honesty')[0]}/#prompt-{prompt}", 302)
    ]
    page = response.content.decode()
    assert "Your answer is saved. Private to you. Bob cannot see it." in page
    assert "not saved" not in page
    assert stored(alice, prompt).current_sharing == Sharing.PRIVATE


def test_the_sharing_choices_name_the_partner_where_the_answer_is_written(
    alice, bob, content, prompt
):
    """The line above the choices already says "Bob cannot see it."; the choices say
    whom they share with too, on the answer's page and on its lesson's page."""
    link(alice, bob)
    browser = signed_in(alice)

    for url in (f"/journal/{prompt}/", f"/course/{lesson_slugs('honesty')[0]}/"):
        response = browser.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        labels = re.findall(rf'<label for="{prompt}-sharing_\d">(.*?)</label>', page)
        assert labels == [
            "Private: only me",
            "Shared with Bob",
            "Shared with Bob when we have both shared ours",
        ]
        assert "my spouse" not in page


def test_the_journal_says_whom_each_answer_is_shared_with(alice, bob, content):
    first, second, third = prompt_slugs(lesson_slugs("honesty")[0])[:3]
    link(alice, bob)
    answer(alice, first, "Shared now.", sharing=Sharing.SHARED)
    answer(alice, second, "Shared in an exchange.", sharing=Sharing.WHEN_BOTH)
    answer(alice, third, "Kept to myself.")

    response = signed_in(alice).get("/journal/?stage=honesty")

    assert response.status_code == 200
    page = response.content.decode()
    meta = {
        slug: re.search(
            rf'<a href="/journal/{slug}/">.*?<p class="meta">(.*?) · saved', page, re.S
        )[1]
        for slug in (first, second, third)
    }
    assert meta == {
        first: "Shared with Bob",
        second: "Shared with Bob when we have both shared ours",
        third: "Private: only me",
    }

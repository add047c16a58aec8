"""Each worker keeps one copy of the course for every request it serves (course.snapshot).
That copy must be made of values nothing can change, so no page can hang one spouse's
data on it for the next reader to see. alice and bob are a couple; each writes privately."""

import dataclasses

import pytest

from course.snapshot import current_course
from tests.factories import copy_real_content, lesson_slugs, link, prompt_slugs, signed_in, sync

ALICES = "the green door at my mothers house"
BOBS = "the letter I never sent from Porto"


def test_nothing_can_be_set_on_the_workers_copy_of_the_course(client, alice, content):
    client.force_login(alice)
    lesson_url = f"/course/{lesson_slugs('honesty')[0]}/"
    for url in ["/", "/course/", lesson_url, "/journal/"]:  # each fills what it reads
        assert client.get(url).status_code == 200, url
    course = current_course()
    stage = course.stages[0]
    lesson = stage.current_lessons[0]
    page, prompts = course.lesson_page(lesson.pk)
    prompt = course.prompts()[0]

    for value, name in [
        (stage, "title"),
        (lesson, "title"),
        (page, "parts"),
        (prompt, "text"),
        (prompt, "answer"),  # a new attribute, as a page might try
        (prompt.lesson.stage, "current_lessons"),
    ]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, name, ALICES)
    with pytest.raises(TypeError):
        page.parts[0]["html"] = ALICES
    for collection in [course.stages, stage.current_lessons, prompts, course.prompts()]:
        assert isinstance(collection, tuple)
    assert prompt.lesson is lesson and lesson.stage is stage


def test_two_spouses_on_one_worker_each_see_only_their_own_words(alice, bob, tmp_path, settings):
    """Each reads the same shared copy, current and retired questions alike: what one
    wrote never shows on the other's pages, nor the other way round."""
    folder = copy_real_content(tmp_path)
    sync(settings, folder)
    link(alice, bob)
    first = lesson_slugs("honesty")[0]
    kept, leaving = prompt_slugs(first)[0], prompt_slugs(lesson_slugs("honesty")[-1])[0]
    alice_client, bob_client = signed_in(alice), signed_in(bob)
    for client, words in [(alice_client, ALICES), (bob_client, BOBS)]:
        for prompt in (kept, leaving):
            response = client.post(f"/journal/{prompt}/", {"text": words, "base_version": 0})
            assert response.status_code == 302
    leaving_lesson = lesson_slugs("honesty")[-1]
    next(p for p in folder.rglob("*.md") if f"\nid: {leaving_lesson}\n" in p.read_text()).unlink()
    sync(settings, folder)

    pages = ["/", f"/course/{first}/", "/journal/", "/journal/workbook/", "/us/"]
    pages += [f"/journal/{kept}/", f"/journal/{leaving}/"]
    for _ in range(2):  # in turn, twice, so each reads what the other's request left
        for client, mine, theirs in [(alice_client, ALICES, BOBS), (bob_client, BOBS, ALICES)]:
            for url in pages:
                response = client.get(url)
                html = response.content.decode()
                assert response.status_code == 200, url
                assert theirs not in html, url
                if url not in ("/", "/us/"):
                    assert mine in html, url

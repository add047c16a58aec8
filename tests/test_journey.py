"""The journey: stages open in order, lessons are finished and unfinished, home shows
what comes next. Through URLs as alice, bob and an anonymous visitor, plus the pure
`build_journey` contract that every page relies on."""

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from course.journey import DONE, LOCKED, NEXT, OPEN, build_journey
from course.models import Completion, LastOpened
from tests.factories import (
    answer,
    complete,
    copy_real_content,
    lesson_slugs,
    link,
    prompt_slugs,
    signed_in,
    sync,
    write_course,
    write_lesson,
)

PUBLIC_LESSON = "when-this-course-is-not-enough"
LOCKED_MESSAGE = "That lesson opens once you have finished the stage before it."
NOT_OPEN = "This lesson is not open yet"
FINISH_BUTTON = "I\u2019ve finished this lesson"


def stage_section(html: str, stage: str) -> str:
    found = re.search(
        rf'<section class="stage" aria-labelledby="stage-{stage}">(.*?)</section>', html, re.S
    )
    assert found, f"no section for stage {stage}"
    return found[1]


def continue_target(html: str) -> str:
    found = re.search(r'<a class="button" href="([^"]+)">Continue</a>', html)
    assert found, "no Continue button"
    return found[1]


# --- finishing a lesson --------------------------------------------------------------


def test_finishing_needs_a_post(client, content, alice):
    first = lesson_slugs("honesty")[0]
    client.force_login(alice)

    response = client.get(f"/course/{first}/complete/")

    assert response.status_code == 405
    assert not Completion.objects.exists()


def test_it_completes_a_lesson_once_however_often_posted(client, content, alice):
    first, second = lesson_slugs("honesty")[:2]
    client.force_login(alice)

    one = client.post(f"/course/{first}/complete/")
    two = client.post(f"/course/{first}/complete/")

    assert one.status_code == two.status_code == 302
    assert one.url == f"/course/{second}/"
    assert list(Completion.objects.values_list("user", "lesson")) == [(alice.pk, first)]


def test_it_undoes_a_completion(client, content, alice):
    first = lesson_slugs("honesty")[0]
    complete(alice, first)
    client.force_login(alice)

    response = client.post(f"/course/{first}/undo/", follow=True)

    assert response.redirect_chain == [(f"/course/{first}/", 302)]
    assert not Completion.objects.exists()
    assert "is marked as not finished" in response.content.decode()
    assert FINISH_BUTTON in response.content.decode()


def test_finishing_a_locked_lesson_redirects_with_a_message_and_changes_nothing(
    client, content, alice
):
    locked = lesson_slugs("safety")[0]
    client.force_login(alice)

    response = client.post(f"/course/{locked}/complete/", follow=True)

    assert response.redirect_chain == [(f"/course/{lesson_slugs('honesty')[0]}/", 302)]
    assert LOCKED_MESSAGE in response.content.decode()
    assert not Completion.objects.exists()


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/course/no-such-lesson/"), ("post", "/course/no-such-lesson/complete/")],
)
def test_an_unknown_lesson_is_not_found(client, content, alice, method, path):
    client.force_login(alice)

    assert getattr(client, method)(path).status_code == 404
    assert not Completion.objects.exists()


def test_a_visitor_must_sign_in_to_finish_a_lesson(client, content):
    first = lesson_slugs("honesty")[0]

    response = client.post(
        f"/course/{first}/complete/", headers={"Referer": f"http://testserver/course/{first}/"}
    )

    assert response.status_code == 302
    # Back to the lesson after signing in, not to the address that takes only forms (405).
    assert response.url == f"/accounts/login/?next=/course/{first}/"
    assert not Completion.objects.exists()


# --- stages open in order ------------------------------------------------------------


def test_safety_opens_only_after_every_honesty_lesson(client, content, alice):
    *most, last = lesson_slugs("honesty")
    safety = lesson_slugs("safety")[0]
    complete(alice, *most)
    client.force_login(alice)

    before = client.get(f"/course/{safety}/").content.decode()
    client.post(f"/course/{last}/complete/")
    after = client.get(f"/course/{safety}/").content.decode()

    assert NOT_OPEN in before and FINISH_BUTTON not in before
    assert NOT_OPEN not in after and FINISH_BUTTON in after


def test_a_locked_lesson_page_points_to_the_next_lesson(client, content, alice):
    honesty = lesson_slugs("honesty")
    complete(alice, honesty[0])
    client.force_login(alice)

    response = client.get(f"/course/{lesson_slugs('trust')[0]}/")

    assert response.status_code == 200
    assert NOT_OPEN in response.content.decode()
    assert f'href="/course/{honesty[1]}/"' in response.content.decode()


def test_the_public_lesson_is_readable_but_finishing_it_opens_nothing(client, content, alice):
    client.force_login(alice)

    page = client.get(f"/course/{PUBLIC_LESSON}/").content.decode()
    client.post(f"/course/{PUBLIC_LESSON}/complete/")
    safety = client.get(f"/course/{lesson_slugs('safety')[0]}/").content.decode()

    assert NOT_OPEN not in page and FINISH_BUTTON in page
    assert Completion.objects.filter(user=alice, lesson=PUBLIC_LESSON).exists()
    assert NOT_OPEN in safety


def test_a_new_honesty_lesson_reopens_honesty_but_keeps_safety_open(
    client, alice, tmp_path, settings
):
    folder = copy_real_content(tmp_path)
    sync(settings, folder)
    honesty, safety = lesson_slugs("honesty"), lesson_slugs("safety")
    complete(alice, *honesty, safety[0])
    write_lesson(folder / "honesty", "a-new-honesty-lesson", 99, ["a-new-honesty-prompt"])
    sync(settings, folder)
    client.force_login(alice)

    outline = client.get("/course/").content.decode()
    safety_page = client.get(f"/course/{safety[1]}/").content.decode()
    home = client.get("/").content.decode()

    assert 'badge-in-progress">In progress' in stage_section(outline, "honesty")
    assert 'badge-in-progress">In progress' in stage_section(outline, "safety")
    assert NOT_OPEN not in safety_page and FINISH_BUTTON in safety_page
    assert continue_target(home) == "/course/a-new-honesty-lesson/"
    assert set(Completion.objects.values_list("lesson", flat=True)) == {*honesty, safety[0]}


def test_a_new_honesty_lesson_keeps_safety_open_before_any_safety_lesson_is_finished(
    client, alice, tmp_path, settings
):
    folder = copy_real_content(tmp_path)
    sync(settings, folder)
    complete(alice, *lesson_slugs("honesty"))
    client.force_login(alice)
    assert NOT_OPEN not in client.get(f"/course/{lesson_slugs('safety')[0]}/").content.decode()
    write_lesson(folder / "honesty", "a-new-honesty-lesson", 99, ["a-new-honesty-prompt"])
    sync(settings, folder)
    client.force_login(alice)

    safety_page = client.get(f"/course/{lesson_slugs('safety')[0]}/").content.decode()

    assert NOT_OPEN not in safety_page


def test_walking_together_safety_opens_when_both_have_finished_honesty(client, content, alice, bob):
    link(alice, bob, walk_together=True)
    honesty, safety = lesson_slugs("honesty"), lesson_slugs("safety")[0]
    complete(alice, *honesty)
    complete(bob, *honesty[:-1])
    client.force_login(alice)

    waiting = client.get(f"/course/{safety}/").content.decode()
    complete(bob, honesty[-1])
    opened = client.get(f"/course/{safety}/").content.decode()

    assert NOT_OPEN in waiting and "opens when your spouse has finished it too" in waiting
    assert NOT_OPEN not in opened and FINISH_BUTTON in opened


def test_the_outline_shows_each_lesson_status(client, content, alice):
    honesty = lesson_slugs("honesty")
    complete(alice, honesty[0])
    client.force_login(alice)

    html = client.get("/course/").content.decode()

    assert re.search(rf'lesson-done">.*?href="/course/{honesty[0]}/"', html, re.S)
    assert re.search(rf'lesson-next">.*?href="/course/{honesty[1]}/"', html, re.S)
    assert 'lesson-open">' in stage_section(html, "honesty")
    safety = stage_section(html, "safety")
    assert 'lesson-locked">' in safety
    assert re.search(
        rf'lesson-open">[^<]*<span[^>]*>Open</span>\s*<a href="/course/{PUBLIC_LESSON}/"', safety
    )
    assert f'max="{len(honesty)}" value="1"' in stage_section(html, "honesty")


# --- home -----------------------------------------------------------------------------


def test_continue_points_to_the_first_unfinished_lesson(client, content, alice):
    honesty = lesson_slugs("honesty")
    complete(alice, honesty[0], honesty[2])
    client.force_login(alice)

    html = client.get("/").content.decode()

    assert continue_target(html) == f"/course/{honesty[1]}/"


def test_viewing_a_lesson_remembers_it_as_last_opened(client, content, alice):
    honesty = lesson_slugs("honesty")
    client.force_login(alice)

    client.get(f"/course/{honesty[2]}/")
    first = LastOpened.objects.get(user=alice).lesson_id
    client.get(f"/course/{honesty[3]}/")
    home = client.get("/").content.decode()

    assert first == honesty[2]
    assert LastOpened.objects.get(user=alice).lesson_id == honesty[3]
    assert f'You last opened <a href="/course/{honesty[3]}/">' in home


def test_a_locked_lesson_is_not_remembered_as_last_opened(client, content, alice):
    client.force_login(alice)

    client.get(f"/course/{lesson_slugs('trust')[0]}/")

    assert not LastOpened.objects.exists()


def test_home_lists_unanswered_questions_from_finished_lessons_only(client, content, alice, bob):
    first, second = lesson_slugs("honesty")[:2]
    answered, *waiting = prompt_slugs(first)
    complete(alice, first)
    complete(bob, second)
    answer(alice, answered, "I answered this one.")
    client.force_login(alice)

    html = client.get("/").content.decode()
    listed = re.findall(r'href="/journal/([^/]+)/"', html)

    assert listed == waiting
    assert not set(listed) & set(prompt_slugs(second))


# --- query counts ---------------------------------------------------------------------


def queries_for(user, url: str) -> int:
    """Queries for a page seen again: the first view may remember things once (the last
    lesson opened, a stage newly reached), which is a one-off write, not per-page cost."""
    browser = signed_in(user)
    assert browser.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        response = browser.get(url)
    assert response.status_code == 200
    return len(queries)


PAGES = ["/", "/course/", "/course/honesty-01/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_take_as_many_queries_for_60_lessons_as_for_3(
    url, alice, tmp_path, settings, django_assert_num_queries
):
    sync(settings, write_course(tmp_path / "small", lessons=3))
    complete(alice, "honesty-01")
    answer(alice, "honesty-01-q1", "A first answer.")
    small = queries_for(alice, url)

    sync(settings, write_course(tmp_path / "large", lessons=60))
    browser = signed_in(alice)
    assert browser.get(url).status_code == 200
    with django_assert_num_queries(small):
        assert browser.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_pages_take_as_many_queries_for_50_completions_as_for_1(
    url, alice, tmp_path, settings, django_assert_num_queries
):
    sync(settings, write_course(tmp_path / "content", lessons=60))
    done = [*lesson_slugs("honesty"), *lesson_slugs("safety"), *lesson_slugs("trust")][:50]
    complete(alice, done[0])
    answer(alice, "honesty-01-q1", "A first answer.")
    few = queries_for(alice, url)

    complete(alice, *done)
    for slug in done[1:]:
        answer(alice, f"{slug}-q1", f"An answer to {slug}.")
    browser = signed_in(alice)
    assert browser.get(url).status_code == 200
    with django_assert_num_queries(few):
        assert browser.get(url).status_code == 200


# --- build_journey, the pure contract -------------------------------------------------


def lesson(slug: str, public: bool = False) -> SimpleNamespace:
    return SimpleNamespace(slug=slug, public=public)


def stage(slug: str, *lessons: SimpleNamespace) -> SimpleNamespace:
    return SimpleNamespace(slug=slug, current_lessons=list(lessons))


def course() -> list[SimpleNamespace]:
    return [
        stage("honesty", lesson("h1"), lesson("h2")),
        stage("safety", lesson("s1"), lesson("help", public=True)),
        stage("trust", lesson("t1")),
    ]


def statuses(journey) -> dict[str, str]:
    return {slug: state.status for slug, state in journey.by_slug.items()}


def test_a_new_journey_opens_honesty_and_public_lessons_only():
    journey = build_journey(course(), completed=())

    assert statuses(journey) == {
        "h1": NEXT,
        "h2": OPEN,
        "s1": LOCKED,
        "help": OPEN,
        "t1": LOCKED,
    }
    assert [s.is_open for s in journey.stages] == [True, False, False]
    assert journey.next_lesson.slug == "h1"


def test_finishing_a_stage_opens_the_next_one_only():
    journey = build_journey(course(), completed={"h1", "h2"})

    assert [s.status for s in journey.stages] == ["complete", "not started", "locked"]
    assert journey.next_lesson.slug == "s1"
    assert statuses(journey)["t1"] == LOCKED


def test_the_next_lesson_is_the_first_unfinished_one_even_after_a_gap():
    journey = build_journey(course(), completed={"h2"})

    assert statuses(journey)["h1"] == NEXT
    assert statuses(journey)["h2"] == DONE
    assert journey.done_count == 1 and journey.total == 5


def test_finishing_a_public_lesson_early_opens_nothing():
    journey = build_journey(course(), completed={"help"})

    assert statuses(journey)["s1"] == LOCKED
    assert not journey.stages[1].is_open


def test_the_next_stage_waits_for_every_lesson_public_ones_too():
    journey = build_journey(course(), completed={"h1", "h2", "s1"})

    assert not journey.stages[2].is_open
    assert journey.next_lesson.slug == "help"


def test_a_reached_stage_stays_open_when_an_earlier_stage_grows():
    stages = course()
    stages[0].current_lessons.append(lesson("h3"))

    journey = build_journey(stages, completed={"h1", "h2", "s1"})

    assert journey.stages[0].status == "in progress"
    assert journey.stages[1].is_open
    assert journey.next_lesson.slug == "h3"


def test_walking_together_waits_for_the_partner_to_finish_the_stage():
    journey = build_journey(course(), completed={"h1", "h2"}, partner_completed={"h1"})

    assert not journey.stages[1].is_open
    assert journey.stages[1].waiting_for_partner
    assert statuses(journey)["s1"] == LOCKED
    assert journey.next_lesson is None


def test_walking_together_opens_the_stage_when_both_have_finished():
    journey = build_journey(course(), completed={"h1", "h2"}, partner_completed={"h1", "h2"})

    assert journey.stages[1].is_open
    assert not journey.stages[1].waiting_for_partner
    assert journey.next_lesson.slug == "s1"


def test_a_partner_ahead_does_not_open_a_stage_for_me():
    journey = build_journey(course(), completed={"h1"}, partner_completed={"h1", "h2", "s1"})

    assert not journey.stages[1].is_open
    assert not journey.stages[1].waiting_for_partner
    assert journey.next_lesson.slug == "h2"


def test_a_finished_course_has_no_next_lesson():
    journey = build_journey(course(), completed={"h1", "h2", "s1", "help", "t1"})

    assert journey.is_finished
    assert journey.next_lesson is None
    assert all(s.status == "complete" for s in journey.stages)


def test_reading_the_home_page_again_writes_nothing(alice, bob, content):
    """Each worker shares one SQLite writer's lock: a page that is only read must not
    take it (a delete of nothing is still a write transaction)."""
    from tests.factories import link

    link(alice, bob)
    browser = signed_in(alice)
    assert browser.get("/").status_code == 200  # a first visit may note a stage opened
    with CaptureQueriesContext(connection) as queries:
        assert browser.get("/").status_code == 200
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "BEGIN"}
    ]
    assert writes == []

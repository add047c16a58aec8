"""The outline and lesson pages as a visitor sees them, and what they cost in queries."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.utils.html import escape

from course.content import load_course

FIRST = "why-honesty-comes-first"
SECOND = "secrets-omissions-and-small-lies"
SAFETY = "when-this-course-is-not-enough"


@pytest.fixture(scope="module")
def course():
    return load_course(django_settings.CONTENT_DIR)


def test_outline_lists_the_stages_in_order_with_their_lessons(client, content, course):
    response = client.get("/course/")

    assert response.status_code == 200
    page = response.content.decode()
    headings = [page.index(f'id="stage-{stage}"') for stage in ("honesty", "safety", "trust")]
    assert headings == sorted(headings)
    for stage in course.stages:
        section = page[page.index(f'id="stage-{stage.id}"') :]
        for lesson in stage.lessons:
            assert f'href="/course/{lesson.id}/"' in section
            assert escape(lesson.title) in section
            assert escape(lesson.summary) in section
    assert page.count("min read") == len(course.lessons)
    assert f'<span class="meta">{course.lessons[0].reading_minutes} min read</span>' in page


def test_the_first_lesson_is_open_to_visitors(client, content, course):
    first = course.lessons[0]

    response = client.get(f"/course/{FIRST}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert first.id == FIRST
    assert f"Honesty · lesson 1 of {len(course.stages[0].lessons)}" in page
    assert f'<h1 id="lesson-title">{escape(first.title)}</h1>' in page
    assert re.search(r'<h2 id="[a-z0-9-]+">', page), "section headings carry anchors"
    for prompt in first.prompts:
        assert f'id="prompt-{prompt.id}"' in page
        assert prompt.text_html in page
    assert f'href="/course/{course.stages[0].lessons[1].id}/" rel="next"' in page
    assert 'rel="prev"' not in page


def test_other_lessons_send_visitors_to_what_an_account_gives(client, content):
    response = client.get(f"/course/{SECOND}/")

    assert response.status_code == 302
    assert response["Location"] == f"/start/?next=/course/{SECOND}/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert f'href="/accounts/signup/?next=%2Fcourse%2F{SECOND}%2F"' in page.content.decode()


def test_the_start_page_refuses_to_lead_elsewhere(client):
    response = client.get("/start/?next=https://example.com/")
    assert response.status_code == 200
    assert "example.com" not in response.content.decode()


def test_the_public_safety_lesson_is_open_to_visitors(client, content, course):
    safety = next(stage for stage in course.stages if stage.id == "safety")
    position = [lesson.id for lesson in safety.lessons].index(SAFETY) + 1
    response = client.get(f"/course/{SAFETY}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "When this course is not enough" in page
    assert f"Safety · lesson {position} of {len(safety.lessons)}" in page


def test_an_unknown_lesson_is_not_found(client, content):
    assert client.get("/course/no-such-lesson/").status_code == 404


def test_healthz_says_ok(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok"


@pytest.mark.parametrize(
    "url", ["/", "/course/", f"/course/{FIRST}/", f"/course/{SAFETY}/", "/accounts/login/"]
)
def test_every_page_footer_links_to_the_safety_lesson(client, content, url):
    response = client.get(url)

    assert response.status_code == 200
    footer = response.content.decode().split('<footer class="site-footer">', 1)[1]
    assert f'href="/course/{SAFETY}/"' in footer


# --- query counts -------------------------------------------------------------------------

STAGES = ("honesty", "safety", "trust")


def publish_course(settings, root: Path, lessons: int) -> None:
    """Write `lessons` short lessons across the three stages, point settings there, sync."""
    for order, stage in enumerate(STAGES, start=1):
        (root / stage).mkdir(parents=True)
        (root / stage / "_stage.md").write_text(
            f"---\nid: {stage}\ntitle: {stage.title()}\norder: {order}\n---\nAbout {stage}.\n"
        )
    for number in range(lessons):
        stage = STAGES[number * len(STAGES) // lessons]
        (root / stage / f"{number:03d}.md").write_text(
            f"---\nid: gen-{number}\ntitle: Lesson {number}\nsummary: Summary {number}.\n"
            f"order: {number}\n---\nA paragraph with [a link](lesson:gen-0).\n\n"
            f"## A heading\n\nMore words.\n\n## Your Turn\n\n"
            f"1. First question? {{#gen-{number}-a}}\n2. Second question? {{#gen-{number}-b}}\n"
        )
    settings.CONTENT_DIR = root
    call_command("sync_content", stdout=io.StringIO())


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "alice"])
def test_pages_cost_the_same_queries_for_3_or_60_lessons(
    client,
    alice,
    settings,
    tmp_path,
    signed_in,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    if signed_in:
        client.force_login(alice)
    urls = ("/course/", "/course/gen-0/")
    queries: dict[str, int] = {}

    publish_course(settings, tmp_path / "three", 3)
    for url in urls:
        client.get(url)  # the first visit may remember where she is; measure a later one
        with django_assert_max_num_queries(25) as captured:
            assert client.get(url).status_code == 200
        queries[url] = len(captured)

    publish_course(settings, tmp_path / "sixty", 60)
    for url in urls:
        client.get(url)
        with django_assert_num_queries(queries[url]):
            response = client.get(url)
        assert response.status_code == 200
    assert response.content.decode().count('class="prompt"') == 2
    assert client.get("/course/").content.decode().count("min read") == 60

"""`manage.py sync_content`: mirrors content/ into the database, all or nothing.

Each test works on a copy of the real content in a temporary folder, so it can edit,
rename and delete lessons the way an author would.
"""

import io
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from course.content import load_course
from course.models import Lesson, Prompt, Stage

REAL_CONTENT = Path(__file__).resolve().parent.parent / "content"
FIRST = "why-honesty-comes-first"
SECOND = "secrets-omissions-and-small-lies"
# No other lesson links to this one, so it can be removed without breaking a link.
LAST = "the-truth-you-tell-yourself"


@pytest.fixture
def content_dir(tmp_path, settings):
    folder = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, folder, ignore=shutil.ignore_patterns("README.md"))
    settings.CONTENT_DIR = folder
    return folder


def sync() -> str:
    out = io.StringIO()
    call_command("sync_content", stdout=out)
    return out.getvalue()


def lesson_path(folder, slug):
    return next(path for path in folder.rglob("*.md") if f"\nid: {slug}\n" in path.read_text())


def body_html(slug: str) -> str:
    return "".join(part["html"] for part in Lesson.objects.get(slug=slug).parts)


def snapshot() -> list[tuple]:
    return [
        *Stage.objects.values_list(),
        *Lesson.objects.values_list(),
        *Prompt.objects.values_list(),
    ]


def test_first_sync_mirrors_every_stage_lesson_and_prompt(content_dir, db):
    course = load_course(content_dir)

    output = sync()

    assert list(Stage.objects.values_list("slug", flat=True)) == ["honesty", "safety", "trust"]
    assert sorted(Lesson.objects.values_list("slug", flat=True)) == sorted(
        lesson.id for lesson in course.lessons
    )
    assert sorted(Prompt.objects.values_list("slug", flat=True)) == sorted(
        prompt.id for lesson in course.lessons for prompt in lesson.prompts
    )
    assert not Lesson.objects.filter(retired_at__isnull=False).exists()
    lessons, prompts = len(course.lessons), Prompt.objects.count()
    assert f"Content synced: {3 + lessons + prompts} added, 0 changed, 0 retired." in output
    first = Lesson.objects.get(slug=FIRST)
    assert (first.stage.slug, first.order, first.title) == ("honesty", 1, "Why honesty comes first")
    assert first.source_path == "content/honesty/01-why-honesty-comes-first.md"
    assert first.reading_minutes == -(-first.word_count // 200)
    (written,) = [lesson for lesson in course.lessons if lesson.id == FIRST]
    assert [p.slug for p in first.prompts.order_by("order")] == [p.id for p in written.prompts]
    assert first.prompts.filter(slug="honesty-foundation-condition").exists(), "kept ids"


def test_ids_and_titles_at_their_length_limits_sync(content_dir, db):
    """The content check's limits are ones the database takes (PostgreSQL enforces them)."""
    from course.content import MAX_ID, MAX_STAGE_ID, MAX_TITLE

    stage_id, lesson_id, prompt_id = "s" * MAX_STAGE_ID, "l" * MAX_ID, "p" * MAX_ID
    folder = content_dir / "later"
    folder.mkdir()
    (folder / "_stage.md").write_text(
        f"---\nid: {stage_id}\ntitle: {'S' * MAX_TITLE}\norder: 9\n---\n", encoding="utf-8"
    )
    (folder / "01-long.md").write_text(
        f"---\nid: {lesson_id}\ntitle: {'T' * MAX_TITLE}\nsummary: S\norder: 1\n---\n"
        f"Words.\n\n## Your Turn\n\n1. Why? {{#{prompt_id}}}\n",
        encoding="utf-8",
    )

    sync()

    lesson = Lesson.objects.get(slug=lesson_id)
    assert (lesson.stage.slug, len(lesson.title)) == (stage_id, MAX_TITLE)
    assert Prompt.objects.get(slug=prompt_id).lesson == lesson


def test_the_token_pages_read_is_the_stored_one_and_empty_before_any_sync(content_dir, db):
    from course.models import ContentRevision
    from course.snapshot import _token_now

    assert _token_now() == ""
    sync()
    assert _token_now() == ContentRevision.objects.get().token != ""


def test_syncing_again_reports_nothing_changed(content_dir, db):
    sync()
    before = snapshot()

    assert sync().strip() == "Content is up to date; nothing changed."
    assert snapshot() == before


def test_retitling_a_lesson_changes_it_in_place(content_dir, db):
    sync()
    row = Lesson.objects.get(slug=FIRST)
    path = lesson_path(content_dir, FIRST)
    path.write_text(path.read_text().replace("title: Why honesty comes first", "title: Honesty"))

    output = sync()

    assert f"changed: lesson {FIRST}" in output
    assert "Content synced: 0 added, 1 changed, 0 retired." in output
    row.refresh_from_db()
    assert row.title == "Honesty"
    assert Lesson.objects.get(slug=FIRST).pk == row.pk


def test_pages_show_a_sync_at_once_though_workers_keep_the_course(content_dir, db, client, alice):
    """Each worker keeps its copy of the course between syncs (course.snapshot); a sync
    that changes anything must reach the very next page: outline, lesson and journal."""
    sync()
    client.force_login(alice)
    lesson_url = f"/course/{FIRST}/"
    for url in ["/course/", lesson_url, "/journal/"]:  # each page fills the copy it reads
        assert client.get(url).status_code == 200
    assert "Most people who open this course" in client.get(lesson_url).content.decode()
    path = lesson_path(content_dir, FIRST)
    text = path.read_text()
    for old, new in [
        ("title: Why honesty comes first", "title: Honesty"),
        ("Most people who open this course", "Many people who begin this course"),
        ("what shape is that ground in right now", "what state is that ground in right now"),
    ]:
        assert old in text
        text = text.replace(old, new)
    path.write_text(text)

    sync()

    outline = client.get("/course/").content.decode()
    assert "Why honesty comes first" not in outline
    assert ">Honesty<" in outline
    lesson = client.get(lesson_url).content.decode()
    assert "Many people who begin this course" in lesson
    assert "Most people who open" not in lesson
    assert "what state is that ground in right now" in lesson
    journal = client.get("/journal/").content.decode()
    assert "what state is that ground in right now" in journal
    assert "what shape is that ground" not in journal


def test_renaming_a_file_keeps_the_lesson_row(content_dir, db):
    sync()
    row = Lesson.objects.get(slug=SECOND)
    path = lesson_path(content_dir, SECOND)
    path.rename(path.with_name("09-renamed.md"))

    output = sync()

    assert "0 added" in output
    assert "0 retired" in output
    row.refresh_from_db()
    assert row.source_path == "content/honesty/09-renamed.md"
    assert row.retired_at is None
    assert Lesson.objects.filter(slug=SECOND).count() == 1


def test_removing_a_lesson_retires_it_and_hides_it(content_dir, db, client, alice):
    sync()
    row = Lesson.objects.get(slug=LAST)
    prompt_slugs = set(row.prompts.values_list("slug", flat=True))
    lesson_path(content_dir, LAST).unlink()

    output = sync()

    assert f"retired: lesson {LAST}" in output
    row.refresh_from_db()
    assert row.retired_at is not None
    assert set(Prompt.objects.filter(retired_at__isnull=False).values_list("slug", flat=True)) == (
        prompt_slugs
    )
    client.force_login(alice)
    outline = client.get("/course/").content.decode()
    assert "The truth you tell yourself" not in outline
    assert f"/course/{LAST}/" not in outline
    assert client.get(f"/course/{LAST}/").status_code == 404


def test_a_lesson_that_comes_back_is_brought_back(content_dir, db, client):
    sync()
    row = Lesson.objects.get(slug=LAST)
    path = lesson_path(content_dir, LAST)
    text = path.read_text()
    path.unlink()
    sync()
    path.write_text(text)

    output = sync()

    assert f"changed: lesson {LAST}" in output
    row.refresh_from_db()
    assert row.retired_at is None
    assert not Prompt.objects.filter(lesson=row, retired_at__isnull=False).exists()
    assert f"/course/{LAST}/" in client.get("/course/").content.decode()


def test_invalid_content_changes_nothing(content_dir, db):
    sync()
    before = snapshot()
    path = lesson_path(content_dir, FIRST)
    path.write_text(path.read_text().replace("title: Why honesty comes first", "title: Edited"))
    (content_dir / "honesty" / "99-broken.md").write_text("No front matter.\n")
    lesson_path(content_dir, SECOND).unlink()

    with pytest.raises(CommandError) as failure:
        sync()

    message = str(failure.value)
    assert "content/honesty/99-broken.md:1: front matter missing" in message
    assert "nothing was changed" in message
    assert snapshot() == before
    assert Lesson.objects.get(slug=FIRST).title == "Why honesty comes first"


def test_invalid_content_in_a_fresh_database_adds_nothing(content_dir, db):
    (content_dir / "trust" / "_stage.md").unlink()

    with pytest.raises(CommandError, match=r"content/trust/01-what-trust-is\.md:1: unknown stage"):
        sync()

    assert snapshot() == []


# --- rendering --------------------------------------------------------------------------


def test_headings_get_anchors_and_lesson_links_become_course_urls(content_dir, db):
    sync()

    html = body_html(FIRST)

    assert '<h2 id="building-on-solid-ground">Building on solid ground</h2>' in html
    assert f'href="/course/{SECOND}/"' in html
    assert "lesson:" not in html


def test_unsafe_html_in_a_lesson_is_stripped(content_dir, db, client):
    path = lesson_path(content_dir, FIRST)
    path.write_text(
        path.read_text().replace(
            "## Building on solid ground",
            '<script>alert("body")</script>\n\n'
            '<p onclick="steal()">Click me</p>\n\n'
            '[a trap](javascript:alert("link"))\n\n'
            "## Building on solid ground",
        )
    )
    sync()

    html = body_html(FIRST)
    page = client.get(f"/course/{FIRST}/").content.decode()

    for text in (html, page):
        assert "Click me" in text
        assert "alert(" not in text
        assert "onclick" not in text
        assert "steal()" not in text
        assert "javascript:" not in text


def test_questions_are_rendered_inline(content_dir, db):
    path = lesson_path(content_dir, FIRST)
    path.write_text(
        path.read_text().replace(
            "3. What is one ordinary",
            "3. What is *one* ordinary",
        )
    )
    sync()

    prompt = Prompt.objects.get(slug="honesty-everyday-truth")

    assert prompt.text.startswith("What is *one* ordinary")
    assert prompt.text_html.startswith("What is <em>one</em> ordinary")
    assert "{#" not in prompt.text_html


def test_editing_a_lesson_body_and_question_renders_them_again(content_dir, db):
    sync()
    path = lesson_path(content_dir, FIRST)
    path.write_text(
        path.read_text()
        .replace("## Building on solid ground", "## Building on firm ground")
        .replace("3. What is one ordinary", "3. What is **one** ordinary")
    )

    output = sync()

    assert f"changed: lesson {FIRST}" in output
    assert "changed: prompt honesty-everyday-truth" in output
    html = body_html(FIRST)
    assert '<h2 id="building-on-firm-ground">Building on firm ground</h2>' in html
    assert "solid ground" not in html
    prompt = Prompt.objects.get(slug="honesty-everyday-truth")
    assert prompt.text_html.startswith("What is <strong>one</strong> ordinary")


def test_a_large_course_renders_the_same_as_one_lesson_at_a_time(content_dir, db):
    """Enough lessons that sync renders them in worker processes."""
    text = lesson_path(content_dir, FIRST).read_text()
    for number in range(120):
        copy = text.replace(f"id: {FIRST}", f"id: copy-{number}").replace("{#", f"{{#c{number}-")
        (content_dir / "honesty" / f"50-copy-{number}.md").write_text(copy)
    expected = {lesson.id: lesson for lesson in load_course(content_dir).lessons}

    sync()

    rows = Lesson.objects.all()
    assert len(rows) == len(expected) == 120 + len(load_course(REAL_CONTENT).lessons)
    for row in rows:
        assert row.parts == expected[row.slug].parts_html, row.slug
    for prompt in Prompt.objects.select_related("lesson"):
        lesson = expected[prompt.lesson.slug]
        assert prompt.text_html == next(p.text_html for p in lesson.prompts if p.id == prompt.slug)


# --- roles, exercises and private lessons ----------------------------------------------

ROLE_LESSON = """---
id: roles-lesson
title: Two roles
summary: A lesson with parts for each role.
order: 9
private: true
---
Shared words for both of you.

::: for hurt
Words for the spouse who was hurt.
<script>alert("hurt")</script>
:::

::: for broke
Words for the spouse who broke trust, and [the first lesson](lesson:why-honesty-comes-first).
:::

::: exercise Ten minutes, one timer
1. Set a timer for ten minutes.
2. <b onclick="steal()">Take turns</b>.
:::

## Your Turn

1. What do you both notice? {#roles-all}
2. What do you need now? {#roles-hurt for=hurt}
3. What will you offer? {#roles-broke for=broke}
"""


def add_role_lesson(content_dir) -> Path:
    path = content_dir / "honesty" / "09-roles-lesson.md"
    path.write_text(ROLE_LESSON, encoding="utf-8")
    return path


def test_parts_are_stored_rendered_in_reading_order(content_dir, db):
    add_role_lesson(content_dir)

    sync()

    lesson = Lesson.objects.get(slug="roles-lesson")
    assert [(part["kind"], part["role"], part["title"]) for part in lesson.parts] == [
        ("shared", "", ""),
        ("role", "hurt", ""),
        ("role", "broke", ""),
        ("exercise", "", "Ten minutes, one timer"),
    ]
    shared, hurt, broke, exercise = (part["html"] for part in lesson.parts)
    assert shared == "<p>Shared words for both of you.</p>"
    assert "<p>Words for the spouse who was hurt.</p>" in hurt
    assert "alert(" not in hurt
    assert f'href="/course/{FIRST}/"' in broke
    assert "<ol>" in exercise
    assert "Take turns" in exercise
    assert "onclick" not in exercise
    assert "steal()" not in exercise
    assert lesson.private is True
    assert list(lesson.prompts.order_by("order").values_list("slug", "role")) == [
        ("roles-all", ""),
        ("roles-hurt", "hurt"),
        ("roles-broke", "broke"),
    ]


def test_the_safety_lesson_is_stored_private_and_no_other(content_dir, db, settings):
    sync()

    assert list(Lesson.objects.filter(private=True).values_list("slug", flat=True)) == [
        settings.SAFETY_LESSON
    ]


def test_editing_a_role_part_or_a_questions_role_changes_it_in_place(content_dir, db):
    path = add_role_lesson(content_dir)
    sync()
    row = Lesson.objects.get(slug="roles-lesson")
    path.write_text(
        ROLE_LESSON.replace("who was hurt.", "who was hurt, in new words.")
        .replace("{#roles-broke for=broke}", "{#roles-broke}")
        .replace("private: true\n", ""),
        encoding="utf-8",
    )

    output = sync()

    assert "changed: lesson roles-lesson" in output
    assert "changed: prompt roles-broke" in output
    row.refresh_from_db()
    assert "who was hurt, in new words." in row.parts[1]["html"]
    assert row.private is False
    assert Prompt.objects.get(slug="roles-broke").role == ""


def test_a_malformed_block_changes_nothing(content_dir, db):
    sync()
    before = snapshot()
    path = lesson_path(content_dir, FIRST)
    path.write_text(path.read_text().replace("title: Why honesty comes first", "title: Edited"))
    add_role_lesson(content_dir).write_text(
        ROLE_LESSON.replace("Words for the spouse who was hurt.", "::: for hurt"),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as failure:
        sync()

    assert (
        "content/honesty/09-roles-lesson.md:11: blocks may not nest: close the block opened "
        "on line 10 with ::: first"
    ) in str(failure.value)
    assert snapshot() == before


def test_the_migration_keeps_each_lessons_html_as_its_shared_part(transactional_db):
    """Pages must read right between the migration and the next sync."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        ("course", "0009_replies"),
        ("course", "0012_drop_body_html"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    stage = old.get_model("course", "Stage").objects.create(slug="s", title="S", order=1)
    old.get_model("course", "Lesson").objects.create(
        slug="l", stage=stage, title="L", summary="S", order=1, body_html="<p>Kept.</p>"
    )

    executor = MigrationExecutor(connection)
    executor.migrate([after])
    new = executor.loader.project_state([after]).apps
    lesson = new.get_model("course", "Lesson").objects.get(slug="l")

    assert lesson.parts == [{"kind": "shared", "role": "", "title": "", "html": "<p>Kept.</p>"}]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def columns(model, parent: str) -> list[str]:
    """Every column of the model but its id, with its parent named by slug, not by id."""
    ids = ("id", f"{parent}_id")
    names = [field.attname for field in model._meta.concrete_fields if field.attname not in ids]
    return [*names, f"{parent}__slug"]


def course_rows() -> list[tuple]:
    """Every column sync_content writes, with rows in slug order."""
    return [
        *Stage.objects.order_by("slug").values_list(
            "slug", "title", "order", "description", "retired_at"
        ),
        *Lesson.objects.order_by("slug").values_list(*columns(Lesson, "stage")),
        *Prompt.objects.order_by("slug").values_list(*columns(Prompt, "lesson")),
    ]


def test_the_content_fixture_holds_exactly_what_sync_content_makes(content):
    # Tests take content/ as rows copied from one sync per session (tests/conftest.py);
    # they must be the rows a sync of their own would have made.
    from course.models import ContentRevision

    copied = course_rows()
    first_token = ContentRevision.objects.get().token
    for model in (Prompt, Lesson, Stage, ContentRevision):
        model.objects.all().delete()

    sync()

    assert copied == course_rows()
    assert len(copied) == 3 + Lesson.objects.count() + Prompt.objects.count() > 3
    assert first_token != ContentRevision.objects.get().token != ""

"""The content format, through its public doors: `load_course` and `manage.py check`.

Every problem an author can make must come back as `content/<path>:<line>: <message>`,
all of them at once, and never as a traceback.
"""

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from course.content import (
    DEEPER_COURSE,
    LIMITS,
    TODAYS_COURSE,
    ContentError,
    Lesson,
    check_limits,
    load_course,
)

ROOT = Path(__file__).resolve().parent.parent
SEED_OVERLAP = ROOT.parent / "shared" / "tools" / "seed_overlap.py"
ERROR_LINE = re.compile(r"^content/[\w./-]+\.md:\d+: \S.*$")


def stage_file(stage_id: str, order: int) -> str:
    return (
        f"---\nid: {stage_id}\ntitle: {stage_id.title()}\norder: {order}\n---\nAbout {stage_id}.\n"
    )


def lesson_file(
    lesson_id: str,
    *,
    order: int = 1,
    front: str | None = None,
    body: str = "Some words about this.\n\n## A heading\n\nMore words.\n",
    your_turn: str | None = None,
) -> str:
    """A valid lesson unless a part is replaced; front replaces the lines between ---."""
    if front is None:
        front = f"id: {lesson_id}\ntitle: Title of {lesson_id}\nsummary: A summary.\norder: {order}"
    if your_turn is None:
        your_turn = (
            "## Your Turn\n\nTake your time.\n\n"
            f"1. What did you notice? {{#{lesson_id}-notice}}\n"
            f"2. What will you try? {{#{lesson_id}-try}}\n"
        )
    return f"---\n{front}\n---\n{body}\n{your_turn}"


@pytest.fixture
def root(tmp_path) -> Path:
    """A content folder with two stages and one valid lesson in each."""
    content = tmp_path / "content"
    for order, stage in enumerate(("honesty", "safety"), start=1):
        (content / stage).mkdir(parents=True)
        (content / stage / "_stage.md").write_text(stage_file(stage, order), encoding="utf-8")
    write(content, "honesty/01-first.md", lesson_file("first"))
    write(content, "safety/01-second.md", lesson_file("second"))
    return content


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def problems(root: Path) -> list[str]:
    return [str(error) for error in load_course(root).errors]


def test_a_valid_folder_loads_with_no_errors(root):
    course = load_course(root)

    assert course.errors == []
    assert [stage.id for stage in course.stages] == ["honesty", "safety"]
    first = course.stages[0].lessons[0]
    assert (first.id, first.title, first.summary, first.order) == (
        "first",
        "Title of first",
        "A summary.",
        1,
    )
    assert first.path == "content/honesty/01-first.md"
    assert first.your_turn_intro == "Take your time."
    assert [(p.id, p.text, p.order) for p in first.prompts] == [
        ("first-notice", "What did you notice?", 1),
        ("first-try", "What will you try?", 2),
    ]
    assert first.public is False


def test_lessons_are_ordered_by_order_not_file_name(root):
    write(root, "honesty/00-later.md", lesson_file("later", order=5))

    course = load_course(root)

    assert [lesson.id for lesson in course.stages[0].lessons] == ["first", "later"]


def test_unparseable_front_matter_names_the_yaml_line(root):
    front = "id: broken\ntitle: Broken\nsummary: this: is not allowed\norder: 2"
    write(root, "honesty/02-broken.md", lesson_file("broken", front=front))

    [error] = problems(root)
    # The wording after the colon is the YAML library's own.
    assert error.startswith("content/honesty/02-broken.md:4: front matter is not valid YAML: ")
    assert "mapping values are not allowed" in error


def test_missing_front_matter_is_reported_on_line_1(root):
    write(root, "honesty/02-bare.md", "# Just a heading\n\nNo front matter here.\n")

    assert problems(root) == [
        "content/honesty/02-bare.md:1: front matter missing: the file must start with ---"
    ]


def test_front_matter_that_is_never_closed_is_reported(root):
    write(root, "honesty/02-open.md", "---\nid: open\ntitle: Open\n\nThe body.\n")

    assert problems(root) == [
        "content/honesty/02-open.md:1: front matter is not closed by a --- line"
    ]


def test_front_matter_that_is_not_key_value_lines_is_reported(root):
    write(root, "honesty/02-list.md", lesson_file("list", front="- id\n- title"))

    assert problems(root) == [
        "content/honesty/02-list.md:2: front matter must be a list of key: value lines"
    ]


def test_missing_id_is_reported(root):
    front = "title: No id\nsummary: A summary.\norder: 2"
    write(root, "honesty/02-no-id.md", lesson_file("no-id", front=front))

    assert problems(root) == ["content/honesty/02-no-id.md:1: front matter has no id"]


def test_missing_title_is_reported(root):
    front = "id: no-title\nsummary: A summary.\norder: 2"
    write(root, "honesty/02-no-title.md", lesson_file("no-title", front=front))

    assert problems(root) == ["content/honesty/02-no-title.md:1: front matter has no title"]


def test_empty_title_is_reported_on_its_line(root):
    front = "id: blank\ntitle: ''\nsummary: A summary.\norder: 2"
    write(root, "honesty/02-blank.md", lesson_file("blank", front=front))

    assert problems(root) == ["content/honesty/02-blank.md:3: title must be non-empty text"]


def test_an_id_that_is_not_a_slug_is_reported(root):
    front = "id: Not A Slug\ntitle: T\nsummary: S\norder: 2"
    write(root, "honesty/02-bad-id.md", lesson_file("bad-id", front=front))

    assert problems(root) == [
        "content/honesty/02-bad-id.md:2: id 'Not A Slug' must use only a-z, 0-9 and single hyphens"
    ]


def test_ids_and_titles_longer_than_their_columns_are_reported(root):
    front = f"id: {'a' * 101}\ntitle: {'T' * 201}\nsummary: S\norder: 2"
    question = f"1. Why? {{#{'q' * 101}}}\n"
    write(root, "honesty/02-long.md", lesson_file("long", front=front))
    write(
        root,
        "honesty/03-question.md",
        lesson_file("question", your_turn=f"## Your Turn\n{question}"),
    )
    write(root, "long/_stage.md", stage_file("s" * 51, 3))

    assert sorted(problems(root)) == [
        "content/honesty/02-long.md:2: id is 101 characters long; the limit is 100",
        "content/honesty/02-long.md:3: title is 201 characters long; the limit is 200",
        "content/honesty/03-question.md:14: prompt id is 101 characters long; the limit is 100",
        "content/long/_stage.md:2: id is 51 characters long; the limit is 50",
    ]


def test_the_length_limits_are_the_database_columns():
    from course import content, models

    assert models.Lesson._meta.get_field("title").max_length == content.MAX_TITLE
    assert models.Stage._meta.get_field("title").max_length == content.MAX_TITLE
    assert models.Stage._meta.get_field("slug").max_length == content.MAX_STAGE_ID
    assert models.Lesson._meta.get_field("slug").max_length == content.MAX_ID
    assert models.Prompt._meta.get_field("slug").max_length == content.MAX_ID


@pytest.mark.parametrize("order", ["first", "1.5", "true", "-1", "99999999999"])
def test_an_order_that_is_not_a_small_whole_number_is_reported(root, order):
    front = f"id: odd\ntitle: Odd\nsummary: S\norder: {order}"
    write(root, "honesty/02-odd.md", lesson_file("odd", front=front))

    assert problems(root) == [
        "content/honesty/02-odd.md:5: order must be a whole number from 0 to 2147483647"
    ]


def test_unknown_front_matter_key_is_reported_on_its_line(root):
    front = "id: extra\ntitle: Extra\nauthor: Sam\nsummary: S\norder: 2"
    write(root, "honesty/02-extra.md", lesson_file("extra", front=front))

    assert problems(root) == [
        "content/honesty/02-extra.md:4: unknown front matter key 'author'; "
        "expected one of id, order, private, public, stage, summary, title"
    ]


def test_a_key_written_twice_is_reported(root):
    front = "id: twice\ntitle: One\nsummary: S\ntitle: Two\norder: 2"
    write(root, "honesty/02-twice.md", lesson_file("twice", front=front))

    assert problems(root) == [
        "content/honesty/02-twice.md:5: front matter key 'title' is written twice"
    ]


def test_yaml_merge_keys_are_reported_not_a_crash(root):
    front = "<<: {id: Merged Id, order: first}\ntitle: T\nsummary: S"
    write(root, "honesty/02-merge.md", lesson_file("merge", front=front))

    assert problems(root) == [
        "content/honesty/02-merge.md:2: id 'Merged Id' must use only a-z, 0-9 and single hyphens",
        "content/honesty/02-merge.md:2: order must be a whole number from 0 to 2147483647",
    ]


def test_public_must_be_true_or_false(root):
    front = "id: open\ntitle: Open\nsummary: S\norder: 2\npublic: sometimes"
    write(root, "honesty/02-open.md", lesson_file("open", front=front))

    assert problems(root) == ["content/honesty/02-open.md:6: public must be true or false"]


def test_public_true_marks_the_lesson_public(root):
    front = "id: open\ntitle: Open\nsummary: S\norder: 2\npublic: true"
    write(root, "honesty/02-open.md", lesson_file("open", front=front))

    course = load_course(root)

    assert course.errors == []
    assert {lesson.id: lesson.public for lesson in course.lessons} == {
        "first": False,
        "open": True,
        "second": False,
    }


def test_a_folder_without_stage_file_is_an_unknown_stage(root):
    write(root, "extras/01-one.md", lesson_file("one"))
    write(root, "extras/02-two.md", lesson_file("two", order=2))

    assert problems(root) == [
        "content/extras/01-one.md:1: unknown stage: extras/ has no valid _stage.md",
        "content/extras/02-two.md:1: unknown stage: extras/ has no valid _stage.md",
    ]


def test_a_stage_key_that_does_not_match_the_folder_is_reported(root):
    front = "id: moved\ntitle: Moved\nstage: trust\nsummary: S\norder: 2"
    write(root, "honesty/02-moved.md", lesson_file("moved", front=front))

    assert problems(root) == [
        "content/honesty/02-moved.md:4: unknown stage 'trust': this folder is the 'honesty' stage"
    ]


def test_a_stage_key_that_matches_the_folder_is_fine(root):
    front = "id: here\ntitle: Here\nstage: honesty\nsummary: S\norder: 2"
    write(root, "honesty/02-here.md", lesson_file("here", front=front))

    assert problems(root) == []


def test_a_broken_stage_file_is_reported_with_its_lessons(root):
    write(root, "trust/_stage.md", "---\nid: trust\ntitle: Trust\n---\nNo order.\n")
    write(root, "trust/01-t.md", lesson_file("t"))

    assert problems(root) == [
        "content/trust/_stage.md:1: front matter has no order",
        "content/trust/01-t.md:1: unknown stage: trust/ has no valid _stage.md",
    ]


def test_duplicate_lesson_ids_across_files_name_both_files(root):
    write(root, "safety/02-copy.md", lesson_file("first", order=2).replace("first-", "copy-"))

    assert problems(root) == [
        "content/safety/02-copy.md:2: duplicate lesson id 'first' "
        "(also in content/honesty/01-first.md)"
    ]


def test_duplicate_lesson_id_points_at_the_id_line(root):
    front = "title: Copy\nsummary: S\norder: 2\nid: first"
    write(root, "safety/02-copy.md", lesson_file("copy", front=front))

    assert problems(root) == [
        "content/safety/02-copy.md:5: duplicate lesson id 'first' "
        "(also in content/honesty/01-first.md)"
    ]


def test_duplicate_prompt_ids_across_lessons_are_reported(root):
    your_turn = "## Your Turn\n\n1. Same id as the first lesson? {#first-notice}\n"
    write(root, "safety/02-dup.md", lesson_file("dup", order=2, your_turn=your_turn))

    assert problems(root) == [
        "content/safety/02-dup.md:15: duplicate prompt id 'first-notice' "
        "(also at content/honesty/01-first.md:17)"
    ]


def test_duplicate_prompt_ids_in_one_lesson_are_reported(root):
    your_turn = "## Your Turn\n\n1. One? {#same}\n2. Two? {#same}\n"
    write(root, "honesty/02-dup.md", lesson_file("dup", order=2, your_turn=your_turn))

    assert problems(root) == [
        "content/honesty/02-dup.md:16: duplicate prompt id 'same' "
        "(also at content/honesty/02-dup.md:15)"
    ]


def test_a_lesson_without_your_turn_is_reported(root):
    write(root, "honesty/02-none.md", lesson_file("none", order=2, your_turn=""))

    assert problems(root) == [
        'content/honesty/02-none.md:7: lesson has no "## Your Turn" section with questions'
    ]


def test_your_turn_without_questions_is_reported(root):
    your_turn = "## Your Turn\n\nThink about it quietly.\n"
    write(root, "honesty/02-empty.md", lesson_file("empty", order=2, your_turn=your_turn))

    assert problems(root) == [
        'content/honesty/02-empty.md:13: the "Your Turn" section has no questions'
    ]


def test_a_question_without_prompt_id_is_reported_on_its_line(root):
    your_turn = "## Your Turn\n\n1. Fine? {#fine}\n2. Where is my id?\n"
    write(root, "honesty/02-noid.md", lesson_file("noid", order=2, your_turn=your_turn))

    assert problems(root) == [
        "content/honesty/02-noid.md:16: question has no prompt id: end it with {#some-id}"
    ]


def test_a_question_wrapped_onto_two_lines_is_reported(root):
    your_turn = "## Your Turn\n\n1. A long question that {#long}\n   goes on and on?\n"
    write(root, "honesty/02-wrap.md", lesson_file("wrap", order=2, your_turn=your_turn))

    assert problems(root) == [
        "content/honesty/02-wrap.md:16: write each question on one line, ending in {#id}"
    ]


def test_a_section_after_your_turn_is_reported(root):
    your_turn = "## Your Turn\n\n1. Fine? {#fine}\n\n## Afterword\n"
    write(root, "honesty/02-after.md", lesson_file("after", order=2, your_turn=your_turn))

    assert problems(root) == [
        'content/honesty/02-after.md:17: the "Your Turn" section must be the last section'
    ]


def test_a_link_to_a_missing_lesson_is_reported_on_its_line(root):
    body = "Read [the first](lesson:first) lesson.\n\nThen [this one](lesson:nowhere).\n"
    write(root, "honesty/02-links.md", lesson_file("links", order=2, body=body))

    assert problems(root) == [
        "content/honesty/02-links.md:9: link to a lesson that does not exist: lesson:nowhere"
    ]


def test_a_file_that_is_not_utf8_is_reported(root):
    (root / "honesty" / "02-latin.md").write_bytes(b"---\nid: latin\ntitle: caf\xe9\n---\n")

    assert problems(root) == ["content/honesty/02-latin.md:3: file is not valid UTF-8 text"]


def test_a_folder_named_like_a_lesson_is_not_read_as_one(root):
    (root / "honesty" / "drafts.md").mkdir()

    assert problems(root) == []


def test_a_missing_content_folder_is_reported(tmp_path):
    assert problems(tmp_path / "content") == ["content:0: content folder not found"]


def test_every_problem_in_every_file_is_reported_at_once(root):
    broken = {
        "honesty/02-yaml.md": lesson_file("yaml", front="id: [yaml\ntitle: T"),
        "honesty/03-bare.md": "No front matter at all.\n",
        "honesty/04-no-title.md": lesson_file(
            "no-title", front="id: no-title\nsummary: S\norder: 4"
        ),
        "safety/02-turnless.md": lesson_file("turnless", order=2, your_turn=""),
        "safety/03-link.md": lesson_file("link", order=3, body="See [x](lesson:gone).\n"),
        "extras/01-stray.md": lesson_file("stray"),
        "safety/04-dup.md": lesson_file("first", order=4).replace("first-", "dup-"),
    }
    for name, text in broken.items():
        write(root, name, text)

    errors = load_course(root).errors

    assert all(isinstance(error, ContentError) for error in errors)
    assert sorted(error.path for error in errors) == sorted(f"content/{name}" for name in broken)
    assert all(ERROR_LINE.match(str(error)) for error in errors), errors


def test_the_system_check_lists_every_problem(root, settings, db):
    write(root, "honesty/02-bare.md", "No front matter.\n")
    write(root, "safety/02-link.md", lesson_file("link", order=2, body="[x](lesson:gone)\n"))
    settings.CONTENT_DIR = root

    with pytest.raises(SystemCheckError) as failure:
        call_command("check")

    message = str(failure.value)
    assert "content/honesty/02-bare.md:1: front matter missing" in message
    assert "content/safety/02-link.md:7: link to a lesson that does not exist" in message
    assert message.count("trellis.E001") == 2


def test_the_system_check_passes_a_valid_folder(tmp_path, settings, db):
    settings.CONTENT_DIR = full_course(tmp_path / "content", LIMITS)

    call_command("check")


def test_the_system_check_holds_the_course_to_its_limits(root, settings, db):
    settings.CONTENT_DIR = root

    with pytest.raises(SystemCheckError) as failure:
        call_command("check")

    message = str(failure.value)
    assert "content/honesty/_stage.md:1: this stage has 1 lesson(s); it needs at least" in message
    assert "content/safety/01-second.md:1: the shared text (all but the role parts) is" in message
    assert message.count("trellis.E002") == 4


def test_manage_py_check_reports_all_problems_without_a_traceback(root):
    write(root, "honesty/02-bare.md", "No front matter.\n")
    write(root, "honesty/03-yaml.md", lesson_file("yaml", front="id: x\ntitle: [unclosed"))
    write(root, "safety/02-noq.md", lesson_file("noq", order=2, your_turn="## Your Turn\n"))
    write(root, "odd/01-stray.md", lesson_file("stray"))
    env = {**os.environ, "TRELLIS_CONTENT_DIR": str(root)}

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    reported = re.findall(r"\(trellis\.E001\) (content/\S+?):\d+: ", output)
    assert sorted(reported) == [
        "content/honesty/02-bare.md",
        "content/honesty/03-yaml.md",
        "content/odd/01-stray.md",
        "content/safety/02-noq.md",
    ]


# --- roles, exercises and private lessons ----------------------------------------------

BLOCKS = """Shared opening words.

::: for hurt
Words for the hurt spouse.

### What helps
:::

Shared middle words.

::: for broke
Words for the spouse who broke trust.

### What helps
:::

::: exercise A talk with a timer
1. Set a timer.
:::
"""


def words(count: int) -> str:
    """`count` words of plain text, in paragraphs of fifty."""
    chunks = [" ".join(["word"] * 50)] * (count // 50) + [" ".join(["word"] * (count % 50))]
    return "\n\n".join(chunk for chunk in chunks if chunk) + "\n"


def one_lesson(root: Path, **parts) -> Lesson:
    write(root, "honesty/02-roles.md", lesson_file("roles", order=2, **parts))
    course = load_course(root)
    assert [str(error) for error in course.errors] == []
    return next(lesson for lesson in course.lessons if lesson.id == "roles")


def test_role_blocks_and_exercises_become_parts_in_reading_order(root):
    lesson = one_lesson(root, body=BLOCKS)

    assert [(part.kind, part.role, part.title, part.line) for part in lesson.parts] == [
        ("shared", "", "", 7),
        ("role", "hurt", "", 9),
        ("shared", "", "", 15),
        ("role", "broke", "", 17),
        ("exercise", "", "A talk with a timer", 23),
    ]
    assert lesson.parts[1].markdown == "Words for the hurt spouse.\n\n### What helps"
    assert lesson.parts[4].markdown == "1. Set a timer."


def test_parts_render_with_headings_unique_across_the_lesson(root):
    lesson = one_lesson(root, body=BLOCKS)

    html = lesson.parts_html

    assert [(part["kind"], part["role"], part["title"]) for part in html] == [
        ("shared", "", ""),
        ("role", "hurt", ""),
        ("shared", "", ""),
        ("role", "broke", ""),
        ("exercise", "", "A talk with a timer"),
    ]
    assert '<h3 id="what-helps">What helps</h3>' in html[1]["html"]
    assert '<h3 id="what-helps-2">What helps</h3>' in html[3]["html"]
    assert ":::" not in "".join(part["html"] for part in html)


def test_words_are_counted_for_the_shared_text_and_for_each_role(root):
    body = "one two three\n\n::: for hurt\nfour five\n:::\n\n::: exercise Talk now\nsix\n:::\n"
    your_turn = "## Your Turn\n\n1. Q? {#q-a}\n2. R? {#q-b for=hurt}\n"

    lesson = one_lesson(root, body=body, your_turn=your_turn)

    # one two three, Talk now, six; Your Turn; 1 Q q a; 2 R q b for hurt
    assert lesson.shared_words == 3 + 2 + 1 + 2 + 4 + 6
    assert lesson.role_words == {"hurt": 2, "broke": 0}
    assert lesson.word_count == 18 + 2


def test_questions_may_be_for_one_role(root):
    your_turn = (
        "## Your Turn\n\n1. For all? {#q-all}\n2. Hurt? {#q-hurt for=hurt}\n"
        "3. Broke? {#q-broke  for=broke}\n"
    )

    lesson = one_lesson(root, your_turn=your_turn)

    assert [(prompt.id, prompt.text, prompt.role) for prompt in lesson.prompts] == [
        ("q-all", "For all?", ""),
        ("q-hurt", "Hurt?", "hurt"),
        ("q-broke", "Broke?", "broke"),
    ]


def test_private_true_marks_the_lesson_private(root):
    front = "id: roles\ntitle: Roles\nsummary: S\norder: 2\nprivate: true"

    assert one_lesson(root, front=front).private is True
    assert all(not lesson.private for lesson in load_course(root).lessons if lesson.id != "roles")


def test_private_must_be_true_or_false(root):
    front = "id: roles\ntitle: Roles\nsummary: S\norder: 2\nprivate: sometimes"
    write(root, "honesty/02-roles.md", lesson_file("roles", front=front))

    assert problems(root) == ["content/honesty/02-roles.md:6: private must be true or false"]


TURN = "## Your Turn\n\n1. Why? {#q-why}\n"


@pytest.mark.parametrize(
    ("body", "your_turn", "expected"),
    [
        (
            "Words.\n\n::: for hurt\nFor you.\n",
            TURN,
            ["9: this block is never closed: end it with a ::: line"],
        ),
        (
            "Words.\n:::\nMore.\n",
            TURN,
            ["8: ::: closes nothing: no block was opened above it"],
        ),
        (
            "::: for spouse\nWords.\n:::\n",
            TURN,
            ["7: unknown role 'spouse': write ::: for hurt or ::: for broke"],
        ),
        (
            "::: for\nWords.\n:::\n",
            TURN,
            ["7: a role block needs a role: ::: for hurt or ::: for broke"],
        ),
        (
            "::: for hurt\nWords.\n::: for broke\nMore.\n:::\n",
            TURN,
            ["9: blocks may not nest: close the block opened on line 7 with ::: first"],
        ),
        (
            "::: exercise\nSteps.\n:::\n",
            TURN,
            ["7: an exercise needs a title: ::: exercise Short title"],
        ),
        (
            "::: aside\nWords.\n:::\n",
            TURN,
            [
                "7: unknown block '::: aside': open a block with ::: for hurt, "
                "::: for broke or ::: exercise Short title"
            ],
        ),
        (
            "::: for broke\n## Big heading\n# Bigger\n### Fine\n:::\n",
            TURN,
            [
                "8: no # or ## heading inside a ::: block: use ### (or close the block first)",
                "9: no # or ## heading inside a ::: block: use ### (or close the block first)",
            ],
        ),
        (
            "Words.\n",
            "## Your Turn\n\n1. Why? {#q-why}\n::: for hurt\n2. How? {#q-how}\n:::\n",
            [
                '12: no ::: blocks inside "## Your Turn": put role parts and exercises above it',
                '14: no ::: blocks inside "## Your Turn": put role parts and exercises above it',
            ],
        ),
        (
            "Words.\n",
            "## Your Turn\n\n1. Why? {#q-why for=everyone}\n2. How? {#q-how for=}\n",
            [
                "11: unknown role 'everyone' on a question: write {#q-why for=hurt} "
                "or {#q-why for=broke}",
                "12: unknown role '' on a question: write {#q-how for=hurt} or {#q-how for=broke}",
            ],
        ),
        (
            f"::: exercise {'T' * 201}\nSteps.\n:::\n",
            TURN,
            ["7: exercise title is 201 characters long; the limit is 200"],
        ),
    ],
    ids=[
        "unclosed",
        "stray-close",
        "unknown-role",
        "no-role",
        "nested",
        "exercise-without-title",
        "unknown-block",
        "big-heading-inside",
        "block-in-your-turn",
        "unknown-question-role",
        "long-exercise-title",
    ],
)
def test_a_malformed_block_is_one_problem_on_its_line(root, body, your_turn, expected):
    write(root, "honesty/02-bad.md", lesson_file("bad", order=2, body=body, your_turn=your_turn))

    course = load_course(root)

    assert problems(root) == [f"content/honesty/02-bad.md:{line}" for line in expected]
    assert "bad" not in [lesson.id for lesson in course.lessons]


# --- the limits: how long, how many --------------------------------------------------------


def full_course(content: Path, limits) -> Path:
    """Two stages that meet `limits` at their lower ends."""
    low = limits.shared_words[0]
    for order, stage in enumerate(("honesty", "safety"), start=1):
        write(content, f"{stage}/_stage.md", stage_file(stage, order))
        for number in range(1, limits.min_lessons_per_stage + 1):
            lesson_id = f"{stage}-{number}"
            text = lesson_file(lesson_id, order=number, body=words(low))
            write(content, f"{stage}/{number:02}-{lesson_id}.md", text)
    return content


def limit_problems(content: Path, limits) -> list[str]:
    course = load_course(content)
    assert course.errors == []
    return [str(problem) for problem in check_limits(course, limits)]


def test_the_deeper_course_limits_are_the_ones_agreed():
    assert DEEPER_COURSE.min_lessons_per_stage == 8
    assert DEEPER_COURSE.shared_words == (600, 1300)
    assert DEEPER_COURSE.max_role_words == 2000  # under 10 minutes at 200 words a minute
    assert DEEPER_COURSE.questions_per_role == (2, 4)


def test_a_course_within_the_deeper_limits_passes(tmp_path):
    assert limit_problems(full_course(tmp_path / "content", DEEPER_COURSE), DEEPER_COURSE) == []


def test_the_deeper_course_needs_eight_lessons_a_stage_and_600_words(tmp_path):
    content = full_course(tmp_path / "content", TODAYS_COURSE)

    found = limit_problems(content, DEEPER_COURSE)

    assert "content/honesty/_stage.md:1: this stage has 4 lesson(s); it needs at least 8" in found
    assert "content/safety/_stage.md:1: this stage has 4 lesson(s); it needs at least 8" in found
    too_short = [problem for problem in found if "write 600 to 1300" in problem]
    assert len(too_short) == 8
    assert too_short[0].startswith("content/honesty/01-honesty-1.md:1: the shared text (all ")


def test_shared_text_over_the_limit_is_reported(tmp_path):
    content = full_course(tmp_path / "content", DEEPER_COURSE)
    write(content, "safety/01-safety-1.md", lesson_file("safety-1", body=words(1300)))

    assert limit_problems(content, DEEPER_COURSE) == [
        "content/safety/01-safety-1.md:1: the shared text (all but the role parts) is 1321 "
        "words; write 600 to 1300"
    ]


def test_role_parts_count_toward_one_roles_reading_not_the_shared_text(tmp_path):
    content = full_course(tmp_path / "content", DEEPER_COURSE)
    body = words(900) + "\n::: for hurt\n" + words(1100) + ":::\n\n::: for broke\n" + words(1079)
    write(content, "safety/01-safety-1.md", lesson_file("safety-1", body=body + ":::\n"))

    # 900 shared words and 21 in Your Turn: hurt reads 2021, broke reads exactly 2000.
    assert limit_problems(content, DEEPER_COURSE) == [
        "content/safety/01-safety-1.md:1: the reading for hurt (shared text and its parts) "
        "is 2021 words; the limit is 2000"
    ]


def test_a_lesson_without_role_questions_asks_two_to_four(tmp_path):
    content = full_course(tmp_path / "content", DEEPER_COURSE)
    questions = "".join(f"{n}. Why {n}? {{#s-{n}}}\n" for n in range(1, 6))
    text = lesson_file("safety-1", body=words(600), your_turn=f"## Your Turn\n\n{questions}")
    write(content, "safety/01-safety-1.md", text)

    assert limit_problems(content, DEEPER_COURSE) == [
        'content/safety/01-safety-1.md:1: "Your Turn" asks 5 question(s); ask 2 to 4'
    ]


def test_each_role_is_asked_two_to_four_questions(tmp_path):
    content = full_course(tmp_path / "content", DEEPER_COURSE)
    your_turn = (
        "## Your Turn\n\n1. Hurt? {#s-hurt for=hurt}\n2. Broke? {#s-broke-0 for=broke}\n"
        "3. Broke? {#s-broke-1 for=broke}\n4. Broke? {#s-broke-2 for=broke}\n"
        "5. Broke? {#s-broke-3 for=broke}\n6. Broke? {#s-broke-4 for=broke}\n"
    )
    text = lesson_file("safety-1", body=words(600), your_turn=your_turn)
    write(content, "safety/01-safety-1.md", text)

    assert limit_problems(content, DEEPER_COURSE) == [
        "content/safety/01-safety-1.md:1: hurt is asked 1 question(s) (for everyone and "
        "for=hurt); ask 2 to 4",
        "content/safety/01-safety-1.md:1: broke is asked 5 question(s) (for everyone and "
        "for=broke); ask 2 to 4",
    ]


# --- the real course ------------------------------------------------------------------


@pytest.fixture(scope="module")
def course():
    return load_course(django_settings.CONTENT_DIR)


def test_the_real_content_has_no_errors(course):
    assert [str(error) for error in course.errors] == []


def test_the_real_course_has_three_stages_in_order(course):
    assert [stage.id for stage in course.stages] == ["honesty", "safety", "trust"]
    for stage in course.stages:
        assert len(stage.lessons) >= 4, f"{stage.id} has {len(stage.lessons)} lessons"


def test_every_real_lesson_is_the_right_length(course):
    assert [str(problem) for problem in check_limits(course)] == []
    assert len(course.lessons) >= 12


def test_the_safety_lesson_is_private(course):
    private = [lesson.id for lesson in course.lessons if lesson.private]
    assert private == [django_settings.SAFETY_LESSON]


def test_the_safety_lesson_is_public(course):
    public = [lesson.id for lesson in course.lessons if lesson.public]
    assert django_settings.SAFETY_LESSON in public


@pytest.mark.skipif(not SEED_OVERLAP.exists(), reason="the seed overlap tool lives in ../shared")
def test_the_real_content_is_in_our_own_words():
    result = subprocess.run(
        [sys.executable, str(SEED_OVERLAP), "content"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr


# --- whatever an author types --------------------------------------------------------

STAGE = stage_file("honesty", 1)
FRONT_LINES = st.sampled_from(
    [
        "id: lesson-a",
        "id: Not A Slug",
        "title: T",
        "summary: S",
        "order: 1",
        "order: -3",
        "public: yes",
        "private: true",
        "private: 1",
        "stage: honesty",
        "stage: trust",
        "<<: {id: Not Slug, order: x, stage: z, public: 2}",
        "author: me",
        "empty:",
    ]
)
ODD_FRONT_LINES = st.sampled_from(["title: A: B", "  indented: x", "- item", "&a", "k: *a"])
BODY_LINES = st.sampled_from(
    [
        "---",
        "## Your Turn",
        "# Heading",
        "### Smaller",
        "1. Question? {#q-a}",
        "2. Another {#q-b}",
        "3. No id",
        "1. {#}",
        "1. Text {#Bad Id}",
        "See [a](lesson:lesson-a) and [b](lesson:",
        "<script>alert(1)</script>",
        "\t- item",
        "",
        ":::",
        "::: for hurt",
        "::: for broke",
        "::: for nobody",
        "::: for",
        "::: exercise Talk it through",
        "::: exercise",
        "::::",
        "1. For one role? {#q-c for=hurt}",
        "2. For no role? {#q-d for=everyone}",
    ]
)
ANY_LINE = st.text(max_size=20)
LESSON_TEXT = st.one_of(
    st.text(),
    st.lists(st.one_of(FRONT_LINES, ODD_FRONT_LINES, BODY_LINES, ANY_LINE), max_size=25).map(
        "\n".join
    ),
    # Shaped like a lesson, so that most examples get past the front matter.
    st.tuples(
        st.lists(FRONT_LINES, max_size=8, unique=True),
        st.lists(st.one_of(BODY_LINES, ANY_LINE), max_size=15),
    ).map(lambda parts: "---\n" + "\n".join(parts[0]) + "\n---\n" + "\n".join(parts[1])),
)
YAML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
FRONT_MATTER = st.dictionaries(
    st.sampled_from(["id", "title", "summary", "order", "stage", "public"]) | st.text(max_size=8),
    st.sampled_from(["honesty", "x-1", 1, True]) | YAML_VALUES,
    max_size=7,
)
PROPERTY = hypothesis_settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def load_one(lesson: bytes) -> tuple[list[Lesson], list[ContentError]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "content"
        (root / "honesty").mkdir(parents=True)
        (root / "honesty" / "_stage.md").write_text(STAGE, encoding="utf-8")
        (root / "honesty" / "lesson.md").write_bytes(lesson)
        course = load_course(root)
    return course.lessons, course.errors


def assert_lesson_or_errors(lessons: list[Lesson], errors: list[ContentError]) -> None:
    assert (len(lessons), bool(errors)) in {(1, False), (0, True), (1, True)}
    for error in errors:
        assert isinstance(error, ContentError)
        assert re.match(r"^content/honesty/lesson\.md:\d+: \S", str(error)), str(error)


@PROPERTY
@given(LESSON_TEXT)
def test_any_text_gives_a_lesson_or_errors(text):
    assert_lesson_or_errors(*load_one(text.encode("utf-8")))


@PROPERTY
@given(st.binary())
def test_any_bytes_give_a_lesson_or_errors(raw):
    assert_lesson_or_errors(*load_one(raw))


@PROPERTY
@given(FRONT_MATTER)
def test_any_front_matter_gives_a_lesson_or_errors(front):
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    text = f"---\n{dumped}---\nBody.\n\n## Your Turn\n\n1. Why? {{#why}}\n"

    lessons, errors = load_one(text.encode("utf-8"))

    assert_lesson_or_errors(lessons, errors)
    if not errors:
        assert lessons[0].id == front["id"]
        assert lessons[0].order == front["order"]


SAFE_LINES = st.lists(
    st.sampled_from(["Plain words here.", "### A small heading", "- a list item", "> a quote", ""]),
    max_size=4,
)
SEGMENTS = st.lists(
    st.tuples(st.sampled_from(["shared", "hurt", "broke", "exercise"]), SAFE_LINES), max_size=8
)


@PROPERTY
@given(SEGMENTS)
def test_well_formed_blocks_give_their_parts_in_order(segments):
    body = []
    for kind, lines in segments:
        if kind == "shared":
            body += lines
        else:
            body += [f"::: exercise Do {kind}" if kind == "exercise" else f"::: for {kind}"]
            body += [*lines, ":::"]
    text = lesson_file("lesson-a", body="\n".join(body))

    lessons, errors = load_one(text.encode("utf-8"))

    assert errors == []
    [lesson] = lessons
    # Shared lines between two blocks make one part (a block, even empty, splits them);
    # a part with no text is left out.
    wanted: list[tuple[str, str]] = []
    shared_open = False
    for kind, lines in segments:
        has_text = any(line.strip() for line in lines)
        if kind == "shared":
            if has_text and not shared_open:
                wanted.append(("shared", ""))
                shared_open = True
            continue
        shared_open = False
        if has_text:
            wanted.append(("exercise", "") if kind == "exercise" else ("role", kind))
    assert [(part.kind, part.role) for part in lesson.parts] == wanted
    assert lesson.role_words["hurt"] == sum(
        len(re.findall(r"\w+", "\n".join(lines))) for kind, lines in segments if kind == "hurt"
    )


# --- exercises that produce an agreement ------------------------------------------------


def test_an_exercise_may_say_what_agreement_it_produces(root):
    body = "Words.\n\n::: exercise Our plan {agreement=triggers}\nSteps.\n:::\n"
    write(root, "honesty/01-first.md", lesson_file("first", body=body))

    course = load_course(root)

    assert course.errors == []
    exercise = course.lessons[0].parts[-1]
    assert (exercise.title, exercise.agreement) == ("Our plan", "triggers")
    assert course.lessons[0].parts_html[-1]["agreement"] == "triggers"


@pytest.mark.parametrize(
    "opening",
    ["::: exercise Our plan {agreement=contract}", "::: exercise Our plan {plan=triggers}"],
)
def test_an_unknown_exercise_mark_is_reported_on_its_line(root, opening):
    write(root, "honesty/01-first.md", lesson_file("first", body=f"Words.\n\n{opening}\nS.\n:::\n"))

    (problem,) = problems(root)

    assert problem.startswith("content/honesty/01-first.md:9: unknown exercise mark {")
    assert "{agreement=openness}, {agreement=triggers}, {agreement=time-out}" in problem


def test_an_agreement_belongs_to_one_exercise(root):
    body = "Words.\n\n::: exercise Our plan {agreement=openness}\nSteps.\n:::\n"
    write(root, "honesty/01-first.md", lesson_file("first", body=body))
    write(root, "safety/01-second.md", lesson_file("second", body=body))

    assert problems(root) == [
        "content/safety/01-second.md:9: agreement 'openness' is produced by one exercise "
        "only (also at content/honesty/01-first.md:9)"
    ]

"""Building course content and progress for tests.

Content is written as real Markdown files and mirrored with `sync_content`, so tests
exercise the same path an author's edit takes. Progress and answers go through the
same models and `save_answer` that the views use.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from django.core.management import call_command
from django.test import Client, override_settings

from accounts.services import accept_invitation, create_invitation, set_walk_together
from course.journal import save_answer
from course.models import Answer, Completion, Lesson, Prompt
from tests.conftest import PASSWORD

REAL_CONTENT = Path(__file__).resolve().parent.parent / "content"
STAGES = (("honesty", "Honesty"), ("safety", "Safety"), ("trust", "Trust"))


def sync(settings, folder: Path) -> None:
    """Point the site at `folder` and mirror it into the database."""
    settings.CONTENT_DIR = folder
    call_command("sync_content", stdout=io.StringIO())


def copy_real_content(tmp_path: Path) -> Path:
    """A copy of content/ that a test may edit like an author would."""
    folder = tmp_path / "content"
    shutil.copytree(REAL_CONTENT, folder, ignore=shutil.ignore_patterns("README.md"))
    return folder


def write_lesson(stage_folder: Path, slug: str, order: int, prompt_slugs: list[str]) -> Path:
    """One short lesson file whose "Your Turn" asks one question per prompt slug."""
    questions = "\n".join(
        f"{number}. What does {prompt} bring up for you? {{#{prompt}}}"
        for number, prompt in enumerate(prompt_slugs, start=1)
    )
    path = stage_folder / f"{order:03d}-{slug}.md"
    path.write_text(
        "---\n"
        f"id: {slug}\n"
        f"title: {slug.replace('-', ' ').capitalize()}\n"
        f"summary: A short generated lesson called {slug}.\n"
        f"order: {order}\n"
        "---\n"
        "A few sentences of lesson text, enough to read.\n\n"
        "## Your Turn\n\n"
        f"{questions}\n",
        encoding="utf-8",
    )
    return path


def write_course(root: Path, lessons: int, prompts_per_lesson: int = 2) -> Path:
    """`lessons` lessons spread in order over honesty, safety and trust.

    Slugs are stable across sizes (`honesty-01`, `honesty-01-q1`, ...), so a bigger
    course written over a smaller one only adds lessons.
    """
    root.mkdir(parents=True, exist_ok=True)
    for index, (stage_slug, title) in enumerate(STAGES):
        folder = root / stage_slug
        folder.mkdir(exist_ok=True)
        (folder / "_stage.md").write_text(
            f"---\nid: {stage_slug}\ntitle: {title}\norder: {index + 1}\n---\n"
            f"The {title.lower()} stage.\n",
            encoding="utf-8",
        )
        count = lessons // len(STAGES) + (1 if index < lessons % len(STAGES) else 0)
        for number in range(1, count + 1):
            slug = f"{stage_slug}-{number:02d}"
            prompts = [f"{slug}-q{q}" for q in range(1, prompts_per_lesson + 1)]
            write_lesson(folder, slug, number, prompts)
    return root


def lesson_slugs(stage: str) -> list[str]:
    """The current lessons of one stage, in course order."""
    return list(
        Lesson.objects.current()
        .filter(stage__slug=stage)
        .order_by("order", "slug")
        .values_list("slug", flat=True)
    )


def prompt_slugs(lesson: str) -> list[str]:
    return list(
        Prompt.objects.current()
        .filter(lesson_id=Lesson.objects.get(slug=lesson).pk)
        .order_by("order")
        .values_list("slug", flat=True)
    )


def link(inviter, invitee, *, walk_together: bool = False) -> None:
    """Link two spouses the way the invitation flow does."""
    invitation = create_invitation(inviter=inviter).invitation
    accept_invitation(invitation=invitation, user=invitee)
    for person in (inviter, invitee):
        set_walk_together(user=person, on=walk_together)


def complete(user, *lessons: str) -> None:
    Completion.objects.bulk_create(
        [Completion(user=user, lesson_id=slug) for slug in lessons], ignore_conflicts=True
    )


def answer(user, prompt: str, text: str, sharing: str | None = None) -> Answer:
    """Save `text` (and a sharing choice, if given) as `user`'s answer, based on
    whatever is stored now."""
    current = Answer.objects.filter(author=user, prompt_id=prompt).first()
    result = save_answer(
        author=user,
        prompt=Prompt.objects.get(slug=prompt),
        text=text,
        base_version=current.version if current else 0,
        sharing=sharing,
    )
    assert result.answer is not None and not result.conflict
    return result.answer


def signed_in(user) -> Client:
    """A browser signed in as `user` that has just confirmed the password again (exports
    ask for that), past its first request so query counts compare like with like."""
    browser = Client()
    browser.force_login(user)
    # The suite confirms passwords far more often than a person could; allauth would
    # throttle it.
    with override_settings(ACCOUNT_RATE_LIMITS=False):
        response = browser.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, "reauthentication failed"
    assert browser.get("/healthz").status_code == 200
    return browser


ROLE_LESSON = """---
id: two-roles
title: Two roles, one lesson
summary: A lesson with a part for each of you.
order: 90
public: true
---
Shared-part: words for both of you, about trust.

## Where each of you is

::: for hurt
### What helps
Hurt-part: rest is allowed, and so is asking for help.
:::

::: for broke
### What helps
Broke-part: answer questions without defending yourself.
:::

::: exercise A ten-minute talk
1. Set a timer for ten minutes.
2. Take turns; stop when the timer rings.
:::

## Your Turn

1. What did you notice together? {#two-roles-all}
2. What do you need this week? {#two-roles-hurt for=hurt}
3. What can you offer this week? {#two-roles-broke for=broke}
"""


def publish_role_lesson(settings, tmp_path: Path, text: str = ROLE_LESSON) -> str:
    """The real course plus one public lesson (by default ROLE_LESSON, with a part and a
    question for each role); returns the lesson's URL."""
    folder = copy_real_content(tmp_path)
    (folder / "honesty" / "90-two-roles.md").write_text(text, encoding="utf-8")
    sync(settings, folder)
    return "/course/two-roles/"

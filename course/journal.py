"""Saving journal answers: one function writes, versions and detects conflicts.

Every save names the version it was based on. If the stored answer has moved on since
(another tab, another device), the save is refused as a conflict and nothing is lost:
the caller shows both texts. Earlier wordings are kept as versions; quick successive
autosaves within a few minutes update the newest version instead of piling up copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import markdown
import nh3
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from course.models import Answer, AnswerVersion, Prompt, Sharing
from course.snapshot import current_course

VERSION_WINDOW = timedelta(minutes=10)
ANSWER_TAGS = {"p", "em", "strong", "ul", "ol", "li", "blockquote", "br"}


class AnswerTooLong(ValueError):
    pass


@dataclass
class SaveResult:
    answer: Answer | None
    conflict: bool = False
    unchanged: bool = False


def clean_text(text: str) -> str:
    """Keep what was written exactly, but for line endings and NUL bytes."""
    text = text.replace("\r\n", "\n").replace("\x00", "")
    if len(text) > settings.JOURNAL_MAX_CHARS:
        raise AnswerTooLong(
            f"This answer is {len(text):,} characters; the limit is "
            f"{settings.JOURNAL_MAX_CHARS:,}. Your text is still here: shorten it or split it."
        )
    return text


def save_answer(
    *, author, prompt: Prompt, text: str, base_version: int, new_version: bool = False
) -> SaveResult:
    """Save `text` as `author`'s answer, unless someone saved a newer version first.

    `base_version` is the version the writer started from (0 for a first answer).
    `new_version` keeps the current wording as its own version (used when restoring).
    """
    text = clean_text(text)
    now = timezone.now()
    with transaction.atomic():
        answer = Answer.objects.select_for_update().filter(author=author, prompt=prompt).first()
        if answer is None:
            if base_version != 0:
                return SaveResult(None, conflict=True)
            if not text.strip():
                return SaveResult(None, unchanged=True)
            answer = Answer.objects.create(author=author, prompt=prompt, text=text, version=1)
            AnswerVersion.objects.create(answer=answer, version=1, text=text, saved_at=now)
            return SaveResult(answer)
        if answer.version != base_version:
            return SaveResult(answer, conflict=True)
        if answer.text == text:
            return SaveResult(answer, unchanged=True)
        answer.text = text
        answer.version = base_version + 1
        latest = answer.versions.first()
        if not new_version and latest is not None and now - latest.saved_at < VERSION_WINDOW:
            # Autosaves in one sitting refine the newest version instead of piling up copies.
            AnswerVersion.objects.filter(pk=latest.pk).update(
                version=answer.version, text=text, saved_at=now
            )
        else:
            AnswerVersion.objects.create(
                answer=answer, version=answer.version, text=text, saved_at=now
            )
        answer.save(update_fields=["text", "version", "updated_at"])
    return SaveResult(answer)


def set_sharing(answer: Answer, sharing: str) -> None:
    """Share or withdraw. Takes effect on the very next request of either spouse."""
    if sharing not in Sharing.values:
        raise ValueError(f"unknown sharing choice {sharing!r}")
    answer.sharing = sharing
    answer.shared_at = None if sharing == Sharing.PRIVATE else timezone.now()
    answer.save(update_fields=["sharing", "shared_at", "updated_at"])


def render_answer(text: str) -> str:
    """Light Markdown with a strict allowlist; any HTML the writer typed shows as text."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    html = markdown.markdown(escaped, extensions=["sane_lists", "nl2br"])
    return nh3.clean(html, tags=ANSWER_TAGS, attributes={}, link_rel=None)


def first_lines(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def restore_version(*, author, version: AnswerVersion) -> SaveResult:
    """Bring back an earlier wording as the newest version; nothing is overwritten."""
    answer = version.answer
    return save_answer(
        author=author,
        prompt=answer.prompt,
        text=version.text,
        base_version=answer.version,
        new_version=True,
    )


SHARING_LABELS = dict(Sharing.choices)


@dataclass
class JournalRow:
    """One prompt and this spouse's answer to it (None if not answered), for a page.

    The prompt comes from the worker's shared copy of the course, so what belongs to one
    spouse is kept here and never set on the prompt."""

    prompt: Prompt
    answer: Answer | None
    answer_url: str
    preview: str = ""
    saved_on: str = ""
    sharing_label: str = ""
    answer_html: str = ""


def journal_rows(user) -> tuple[dict, list[JournalRow]]:
    """Every current prompt, and every prompt `user` answered even if it has left the
    course, as rows in course order: grouped {stage: {lesson: [JournalRow]}}, and as one
    list. One query for the answers, and one more only when some answered prompt is no
    longer in the course."""
    journal_url = reverse("journal:index")
    answers = {answer.prompt_id: answer for answer in Answer.objects.of(user)}
    course = current_course()
    prompts = course.prompts()
    if not answers.keys() <= course.prompts_by_slug().keys():
        prompts = course.prompts_with({prompt.slug for prompt in prompts} | answers.keys())
    stages: dict = {}
    rows = []
    for prompt in prompts:
        row = JournalRow(prompt, answers.get(prompt.slug), f"{journal_url}{prompt.slug}/")
        stages.setdefault(prompt.lesson.stage, {}).setdefault(prompt.lesson, []).append(row)
        rows.append(row)
    return stages, rows

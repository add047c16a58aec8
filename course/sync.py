"""Mirror the parsed course into the database: all or nothing, and idempotent.

Rows are matched by their stable ids. Content that disappears from the files is
retired (hidden from readers), never deleted, so answers and progress that point at
it are kept; content that comes back is brought back.

Each lesson's body is stored as its parts (shared text, role parts, exercises) in reading
order, each already rendered and sanitised, so no request parses Markdown.

Rendering Markdown is most of the cost, so a lesson whose source_hash is already in the
database takes its parts (and its questions' HTML) from there instead of rendering again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

from django.db import transaction
from django.utils import timezone

from course import content
from course.models import ContentRevision, Lesson, Prompt, Stage


class ContentInvalid(Exception):
    def __init__(self, errors: list[content.ContentError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class SyncReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)

    @property
    def is_unchanged(self) -> bool:
        return not (self.added or self.changed or self.retired)


def _rows(model) -> dict[str, object]:
    return {row.slug: row for row in model.objects.all()}


def _mirror(
    model,
    wanted: dict[str, dict],
    report: SyncReport,
    label: str,
    existing: dict[str, object] | None = None,
) -> dict[str, object]:
    """Create, update, retire and revive rows of one model; return them by slug."""
    now = timezone.now()
    existing = _rows(model) if existing is None else existing
    to_create, to_update, fields = [], [], set()
    for slug, values in wanted.items():
        row = existing.get(slug)
        if row is None:
            row = model(slug=slug, **values)
            to_create.append(row)
            existing[slug] = row
            report.added.append(f"{label} {slug}")
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if row.retired_at is not None:
            changed.append("retired_at")
            row.retired_at = None
        if changed:
            for name in changed:
                if name != "retired_at":
                    setattr(row, name, values[name])
            fields.update(changed)
            to_update.append(row)
            report.changed.append(f"{label} {slug}")
    for slug, row in existing.items():
        if slug not in wanted and row.retired_at is None:
            row.retired_at = now
            fields.add("retired_at")
            to_update.append(row)
            report.retired.append(f"{label} {slug}")
    model.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        model.objects.bulk_update(to_update, sorted(fields), batch_size=500)
    return existing


def sync_course(course: content.Course) -> SyncReport:
    if course.errors:
        raise ContentInvalid(course.errors)
    report = SyncReport()
    # Render before the transaction: on SQLite it holds the write lock while it lasts.
    stored_hashes = set(Lesson.objects.values_list("source_hash", flat=True))
    content.render_lessons([x for x in course.lessons if x.source_hash not in stored_hashes])
    with transaction.atomic():
        stages = _mirror(
            Stage,
            {
                stage.id: {
                    "title": stage.title,
                    "order": stage.order,
                    "description": stage.description,
                }
                for stage in course.stages
            },
            report,
            "stage",
        )
        old_lessons, old_prompts = _rows(Lesson), _rows(Prompt)
        stored = {row.source_hash: row.parts for row in old_lessons.values()}

        def prompt_html(lesson: content.Lesson, prompt: content.Prompt) -> str:
            row = old_prompts.get(prompt.id)
            if lesson.source_hash in stored and row is not None and row.text == prompt.text:
                return row.text_html
            return prompt.text_html

        lessons = _mirror(
            Lesson,
            {
                lesson.id: {
                    "stage_id": stages[lesson.stage_id].pk,
                    "title": lesson.title,
                    "summary": lesson.summary,
                    "order": lesson.order,
                    "parts": stored.get(lesson.source_hash) or lesson.parts_html,
                    "your_turn_intro": lesson.your_turn_intro,
                    "word_count": lesson.word_count,
                    "reading_minutes": lesson.reading_minutes,
                    "public": lesson.public,
                    "private": lesson.private,
                    "source_path": lesson.path,
                    "source_hash": lesson.source_hash,
                }
                for lesson in course.lessons
            },
            report,
            "lesson",
            old_lessons,
        )
        _mirror(
            Prompt,
            {
                prompt.id: {
                    "lesson_id": lessons[lesson.id].pk,
                    "text": prompt.text,
                    "text_html": prompt_html(lesson, prompt),
                    "order": prompt.order,
                    "role": prompt.role,
                }
                for lesson in course.lessons
                for prompt in lesson.prompts
            },
            report,
            "prompt",
            old_prompts,
        )
        if not report.is_unchanged:
            # Every worker's copy of the course is keyed by this token (course.snapshot).
            ContentRevision.objects.update_or_create(pk=1, defaults={"token": uuid4().hex})
    return report

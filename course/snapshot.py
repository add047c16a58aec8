"""Each worker's copy of the course: stages, lessons with their bodies, and prompts.

The course changes only when `sync_content` runs, and every sync that changes anything
writes a new random `ContentRevision.token` in the same transaction. So a worker may keep
what it read under the token it read it at: each page asks for the token (one small
query) and reads the course again only when the token has moved on. A sync therefore
reaches every worker on the very next request, and no spouse's data is ever kept here.

The copy is shared by every request this process serves, so it holds values, not model
instances: frozen dataclasses and tuples, which raise `FrozenInstanceError` (or have no
`append`) if any code tries to set one spouse's data on them. They keep the attribute
names of the models (`lesson.title`, `prompt.lesson.stage.order`, `stage.current_lessons`)
so templates and the pure journey code read them alike. Pages that need per-spouse state
wrap them (see `course.journal.JournalRow`).

Equality is identity (`eq=False`): the copy holds one value per row, and a stage's
lessons point back at it, which field-by-field comparison would walk in circles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType

from django.urls import reverse

from course.models import ContentRevision, Lesson, Prompt, Stage


@dataclass(frozen=True, eq=False)
class StageView:
    pk: int
    slug: str
    title: str
    order: int
    description: str
    current_lessons: tuple[LessonView, ...] = field(default=(), repr=False)

    def __str__(self) -> str:
        return self.title


@dataclass(frozen=True, eq=False)
class LessonView:
    """A lesson of the outline; `parts` and `your_turn_intro` (the body) are filled only
    in the copy `CourseCopy.lesson_page` returns."""

    pk: int
    slug: str
    stage: StageView = field(repr=False)
    title: str
    summary: str
    order: int
    word_count: int
    reading_minutes: int
    public: bool
    private: bool
    retired_at: datetime | None = None
    parts: tuple[MappingProxyType, ...] = field(default=(), repr=False)
    your_turn_intro: str = ""

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("course:lesson", args=[self.slug])


@dataclass(frozen=True, eq=False)
class PromptView:
    pk: int
    slug: str
    lesson: LessonView = field(repr=False)
    text: str
    text_html: str
    order: int
    role: str
    retired_at: datetime | None = None

    def __str__(self) -> str:
        return self.text


def stage_view(stage: Stage, lessons: tuple[LessonView, ...] = ()) -> StageView:
    return StageView(
        pk=stage.pk,
        slug=stage.slug,
        title=stage.title,
        order=stage.order,
        description=stage.description,
        current_lessons=lessons,
    )


def lesson_view(lesson: Lesson, stage: StageView, *, body: bool = False) -> LessonView:
    return LessonView(
        pk=lesson.pk,
        slug=lesson.slug,
        stage=stage,
        title=lesson.title,
        summary=lesson.summary,
        order=lesson.order,
        word_count=lesson.word_count,
        reading_minutes=lesson.reading_minutes,
        public=lesson.public,
        private=lesson.private,
        retired_at=lesson.retired_at,
        parts=tuple(MappingProxyType(dict(part)) for part in lesson.parts) if body else (),
        your_turn_intro=lesson.your_turn_intro if body else "",
    )


def prompt_view(prompt: Prompt, lesson: LessonView) -> PromptView:
    return PromptView(
        pk=prompt.pk,
        slug=prompt.slug,
        lesson=lesson,
        text=prompt.text,
        text_html=prompt.text_html,
        order=prompt.order,
        role=prompt.role,
        retired_at=prompt.retired_at,
    )


def _outline() -> tuple[StageView, ...]:
    """The current stages with their current lessons (without bodies), in two queries."""
    stages = []
    for stage in Stage.objects.outline():
        view = stage_view(stage)
        lessons = tuple(lesson_view(lesson, view) for lesson in stage.current_lessons)
        # A stage and its lessons point at each other, so one of the two is completed
        # after it is made, here, before anything else can see it.
        object.__setattr__(view, "current_lessons", lessons)
        stages.append(view)
    return tuple(stages)


class CourseCopy:
    """The current course at one revision. Lesson bodies and prompts are read the first
    time a page needs them, so a worker holds only what it has served."""

    def __init__(self, token: str):
        self.token = token
        self.stages: tuple[StageView, ...] = _outline()
        self.lessons: dict[int, LessonView] = {
            lesson.pk: lesson for stage in self.stages for lesson in stage.current_lessons
        }
        self._pages: dict[int, tuple[LessonView, tuple[PromptView, ...]]] = {}
        self._prompts: tuple[PromptView, ...] | None = None
        self._prompts_by_slug: dict[str, PromptView] | None = None

    def lesson_page(self, lesson_pk: int) -> tuple[LessonView, tuple[PromptView, ...]]:
        """A lesson of this copy's outline with its body, and its current prompts in order
        (each prompt's `lesson` is the outline's, without the body)."""
        page = self._pages.get(lesson_pk)
        if page is None:
            outline = self.lessons[lesson_pk]
            lesson = lesson_view(Lesson.objects.get(pk=lesson_pk), outline.stage, body=True)
            current = Prompt.objects.current().filter(lesson_id=lesson_pk)
            page = (lesson, tuple(prompt_view(prompt, outline) for prompt in current))
            self._pages[lesson_pk] = page
        return page

    def prompts(self) -> tuple[PromptView, ...]:
        """Every current prompt of every current lesson, in course order, each with its
        `lesson` (and that lesson's `stage`) taken from this copy's outline."""
        if self._prompts is None:
            by_lesson: dict[int, list[PromptView]] = {pk: [] for pk in self.lessons}
            current = Prompt.objects.current().filter(lesson_id__in=self.lessons)
            for prompt in current.order_by("order"):
                by_lesson[prompt.lesson_id].append(
                    prompt_view(prompt, self.lessons[prompt.lesson_id])
                )
            self._prompts = tuple(prompt for pk in self.lessons for prompt in by_lesson[pk])
        return self._prompts

    def prompts_by_slug(self) -> dict[str, PromptView]:
        if self._prompts_by_slug is None:
            self._prompts_by_slug = {prompt.slug: prompt for prompt in self.prompts()}
        return self._prompts_by_slug

    def prompts_with(self, slugs: set[str]) -> list[PromptView]:
        """The prompts with these slugs in course order, current or not: those that have
        left the course (a spouse's answers to them stay theirs) are read from the
        database, with their lesson and stage, in one query and only if there are any.
        Those are made for this request alone, sharing the copy's lesson or stage where
        it is still in the course."""
        current = self.prompts_by_slug()
        found = [current[slug] for slug in slugs if slug in current]
        gone = slugs - current.keys()
        if gone:
            retired = Prompt.objects.filter(slug__in=gone).select_related("lesson__stage")
            stages = {stage.pk: stage for stage in self.stages}
            for prompt in retired.defer("lesson__parts"):
                lesson = self.lessons.get(prompt.lesson_id)
                if lesson is None:
                    stage = stages.get(prompt.lesson.stage_id) or stage_view(prompt.lesson.stage)
                    lesson = lesson_view(prompt.lesson, stage)
                found.append(prompt_view(prompt, lesson))
        return sorted(found, key=in_course_order)


def in_course_order(prompt) -> tuple[int, int, int]:
    return (prompt.lesson.stage.order, prompt.lesson.order, prompt.order)


_copy: CourseCopy | None = None


def _token_now() -> str:
    """The current `ContentRevision.token` (empty before the first sync)."""
    return ContentRevision.objects.order_by("pk").values_list("token", flat=True).first() or ""


def current_course() -> CourseCopy:
    """The course as it is now: this process's copy, read again if a sync changed it."""
    global _copy
    token = _token_now()
    copy = _copy
    if copy is None or copy.token != token:
        copy = _copy = CourseCopy(token)
    return copy


def current_outline() -> tuple[StageView, ...]:
    """The current stages, each with `current_lessons` (without their bodies)."""
    return current_course().stages

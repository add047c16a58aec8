"""Each worker's copy of the course: stages, lessons with their bodies, and prompts.

The course changes only when `sync_content` runs, and every sync that changes anything
writes a new random `ContentRevision.token` in the same transaction. So a worker may keep
what it read under the token it read it at: each page asks for the token (one small
query) and reads the course again only when the token has moved on. A sync therefore
reaches every worker on the very next request, and no spouse's data is ever kept here.

The objects in the copy are shared by every request this process serves: nothing may
change them. Pages that need per-spouse state wrap them (see `course.journal.JournalRow`).
"""

from __future__ import annotations

from course.models import ContentRevision, Lesson, Prompt, Stage


class CourseCopy:
    """The current course at one revision. Lesson bodies and prompts are read the first
    time a page needs them, so a worker holds only what it has served."""

    def __init__(self, token: str):
        self.token = token
        self.stages: list[Stage] = Stage.objects.outline()
        self.lessons: dict[int, Lesson] = {}
        for stage in self.stages:
            for lesson in stage.current_lessons:
                lesson.stage = stage
                self.lessons[lesson.pk] = lesson
        self._pages: dict[int, tuple[Lesson, list[Prompt]]] = {}
        self._prompts: list[Prompt] | None = None
        self._prompts_by_slug: dict[str, Prompt] | None = None

    def lesson_page(self, lesson_pk: int) -> tuple[Lesson, list[Prompt]]:
        """A lesson of this copy's outline with its body, and its current prompts in order."""
        page = self._pages.get(lesson_pk)
        if page is None:
            lesson = Lesson.objects.select_related("stage").get(pk=lesson_pk)
            prompts = list(Prompt.objects.current().filter(lesson_id=lesson_pk))
            for prompt in prompts:
                prompt.lesson = lesson
            page = (lesson, prompts)
            self._pages[lesson_pk] = page
        return page

    def prompts(self) -> list[Prompt]:
        """Every current prompt of every current lesson, in course order, each with its
        `lesson` (and that lesson's `stage`) taken from this copy's outline."""
        if self._prompts is None:
            by_lesson: dict[int, list[Prompt]] = {pk: [] for pk in self.lessons}
            current = Prompt.objects.current().filter(lesson_id__in=self.lessons)
            for prompt in current.order_by("order"):
                lesson = self.lessons[prompt.lesson_id]
                prompt.lesson = lesson
                by_lesson[lesson.pk].append(prompt)
            self._prompts = [prompt for pk in self.lessons for prompt in by_lesson[pk]]
        return self._prompts

    def prompts_by_slug(self) -> dict[str, Prompt]:
        if self._prompts_by_slug is None:
            self._prompts_by_slug = {prompt.slug: prompt for prompt in self.prompts()}
        return self._prompts_by_slug

    def prompts_with(self, slugs: set[str]) -> list[Prompt]:
        """The prompts with these slugs in course order, current or not: those that have
        left the course (a spouse's answers to them stay theirs) are read from the
        database, with their lesson and stage, in one query and only if there are any."""
        current = self.prompts_by_slug()
        found = [current[slug] for slug in slugs if slug in current]
        gone = slugs - current.keys()
        if gone:
            retired = Prompt.objects.filter(slug__in=gone).select_related("lesson__stage")
            found += retired.defer("lesson__parts")
        return sorted(found, key=in_course_order)


def in_course_order(prompt: Prompt) -> tuple[int, int, int]:
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


def current_outline() -> list[Stage]:
    """The current stages, each with `current_lessons` (without their bodies)."""
    return current_course().stages

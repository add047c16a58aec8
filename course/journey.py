"""Where a spouse is on the journey: which stages are open and what comes next.

Pure functions over the outline and a set of completed lesson ids, so every page
computes the same answer from the same two queries.

The rule: honesty is open from the start; each later stage opens once every lesson of
the stage before it is complete. A stage someone has already reached stays open even if
new lessons are later added before it (their earlier stage then shows as in progress
again, but nobody is locked out of where they were). With "walking together" on, a
stage opens only when both spouses have finished the one before it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

DONE, NEXT, OPEN, LOCKED = "done", "next", "open", "locked"


@dataclass
class LessonState:
    lesson: object
    status: str

    @property
    def is_readable(self) -> bool:
        return self.status != LOCKED


@dataclass
class StageState:
    stage: object
    lessons: list[LessonState]
    is_open: bool
    waiting_for_partner: bool = False

    @property
    def done_count(self) -> int:
        return sum(1 for state in self.lessons if state.status == DONE)

    @property
    def total(self) -> int:
        return len(self.lessons)

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.done_count == self.total

    @property
    def status(self) -> str:
        if self.is_complete:
            return "complete"
        if not self.is_open:
            return "locked"
        return "in progress" if self.done_count else "not started"


@dataclass
class Journey:
    stages: list[StageState]
    next_lesson: object | None
    by_slug: dict[str, LessonState] = field(default_factory=dict)

    @property
    def is_finished(self) -> bool:
        return all(stage.is_complete for stage in self.stages)

    @property
    def done_count(self) -> int:
        return sum(stage.done_count for stage in self.stages)

    @property
    def total(self) -> int:
        return sum(stage.total for stage in self.stages)

    def state_of(self, slug: str) -> LessonState | None:
        return self.by_slug.get(slug)

    @property
    def first_lesson(self):
        """The very first lesson of the course, which visitors may read too."""
        return self.stages[0].lessons[0].lesson if self.stages else None


def _finished(stage, completed: set[str], *, private_counts: bool = True) -> bool:
    """Every lesson of `stage` is in `completed`. For the partner, private lessons do not
    count: whether they read one must never show, not even as a gate that stays shut."""
    return all(
        lesson.slug in completed
        for lesson in stage.current_lessons
        if private_counts or not getattr(lesson, "private", False)
    )


def build_journey(
    stages: list,
    completed: Iterable[str],
    partner_completed: Iterable[str] | None = None,
    opened: Iterable[str] = (),
) -> Journey:
    """`stages` carry `current_lessons`; `completed` holds lesson slugs the spouse finished;
    `opened` holds slugs of stages they reached before (those stay open, unless the
    couple has since chosen to walk together).

    Pass `partner_completed` only when the couple walks together.
    """
    completed = set(completed)
    opened = set(opened)
    partner = set(partner_completed) if partner_completed is not None else None
    reached = set()  # stages in which the spouse has finished something
    for index, stage in enumerate(stages):
        # Public lessons can be read (and finished) early, so they prove nothing.
        if any(x.slug in completed and not x.public for x in stage.current_lessons):
            reached.add(index)
    furthest = max(reached, default=0)

    states: list[StageState] = []
    next_lesson = None
    open_so_far = True
    for index, stage in enumerate(stages):
        waiting = False
        # Walking together is an explicit choice to wait for each other, so a stage
        # reached earlier alone does not override it; finished lessons still do.
        if index == 0 or index <= furthest or (stage.slug in opened and partner is None):
            is_open = True
        else:
            previous = stages[index - 1]
            mine = open_so_far and _finished(previous, completed)
            theirs = partner is None or _finished(previous, partner, private_counts=False)
            is_open = mine and theirs
            waiting = mine and not theirs
        open_so_far = is_open
        lessons = []
        for lesson in stage.current_lessons:
            if lesson.slug in completed:
                status = DONE
            elif not is_open:
                status = OPEN if getattr(lesson, "public", False) else LOCKED
            elif next_lesson is None:
                status = NEXT
                next_lesson = lesson
            else:
                status = OPEN
            lessons.append(LessonState(lesson, status))
        states.append(StageState(stage, lessons, is_open, waiting))
    by_slug = {state.lesson.slug: state for stage in states for state in stage.lessons}
    return Journey(states, next_lesson, by_slug)


def visitor_journey(stages: list) -> Journey:
    """What someone without an account may read: the first lesson and public ones."""
    return build_journey(stages, completed=())


@dataclass
class GateWait:
    """With walking together on, one spouse has finished a stage and waits for the other
    before the next one opens. `waiting` is who waits: "me" or "partner"."""

    finished: object  # the stage finished
    opens: object  # the stage that opens when both have finished
    waiting: str


def gate_waits(stages: list, mine: set[str], theirs: set[str]) -> list[GateWait]:
    """Where one of two spouses who walk together waits for the other. Private lessons
    never count, so a wait never tells whether someone read one."""
    waits = []
    for previous, stage in itertools.pairwise(stages):
        me = _finished(previous, mine, private_counts=False)
        partner = _finished(previous, theirs, private_counts=False)
        if me != partner:
            waits.append(GateWait(previous, stage, "me" if me else "partner"))
    return waits[:1]

"""Reading a spouse's progress in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.links import Link, link_of
from course.journey import GateWait, Journey, build_journey, gate_waits, visitor_journey
from course.models import Completion, StageOpened
from course.snapshot import StageView, current_outline


def completed_slugs(user) -> set[str]:
    return set(Completion.objects.filter(user=user).values_list("lesson_id", flat=True))


@dataclass(frozen=True)
class Standing:
    """Where a spouse stands, read once for a page: their journey, their link (None if
    they have none, or for a visitor) and, when both walk together, what each finished."""

    journey: Journey
    link: Link | None = None
    completed: frozenset[str] = frozenset()
    partner_completed: frozenset[str] | None = None

    @property
    def partner(self):
        return self.link.partner if self.link else None

    def gate_wait(self, stages: tuple[StageView, ...]) -> GateWait | None:
        """Where the two, walking together, wait for each other, if they do."""
        if self.partner_completed is None:
            return None
        waits = gate_waits(stages, self.completed, self.partner_completed)
        return waits[0] if waits else None


def standing_of(user, stages: tuple[StageView, ...] | None = None) -> Standing:
    """`user`'s journey and link in four queries, five when both walk together."""
    stages = current_outline() if stages is None else stages
    if not user.is_authenticated:
        return Standing(visitor_journey(stages))
    link = link_of(user)
    completed = frozenset(completed_slugs(user))
    partner_completed = None
    if link is not None and link.walking_together:
        partner_completed = frozenset(completed_slugs(link.partner))
    opened = set(StageOpened.objects.filter(user=user).values_list("stage_id", flat=True))
    journey = build_journey(stages, completed, partner_completed=partner_completed, opened=opened)
    newly_open = [
        StageOpened(user=user, stage_id=state.stage.slug)
        for state in journey.stages[1:]
        if state.is_open and state.stage.slug not in opened
    ]
    if newly_open:
        # Remembered the first time a stage is seen open (a rare write), so that adding
        # lessons to an earlier stage never locks anyone out of where they were.
        StageOpened.objects.bulk_create(newly_open, ignore_conflicts=True)
    return Standing(journey, link, completed, partner_completed)


def journey_for(user, stages: tuple[StageView, ...] | None = None) -> Journey:
    """The journey as `user` sees it; visitors get the public view."""
    return standing_of(user, stages).journey

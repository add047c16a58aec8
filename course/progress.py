"""Reading a spouse's progress in a fixed number of queries."""

from __future__ import annotations

from accounts.models import Membership
from course.journey import GateWait, Journey, build_journey, gate_waits, visitor_journey
from course.models import Completion, StageOpened
from course.snapshot import StageView, current_outline


def completed_slugs(user) -> set[str]:
    return set(Completion.objects.filter(user=user).values_list("lesson_id", flat=True))


def journey_for(user, stages: tuple[StageView, ...] | None = None) -> Journey:
    """The journey as `user` sees it; visitors get the public view."""
    stages = current_outline() if stages is None else stages
    if not user.is_authenticated:
        return visitor_journey(stages)
    opened = set(StageOpened.objects.filter(user=user).values_list("stage_id", flat=True))
    journey = build_journey(
        stages, completed_slugs(user), partner_completed=walking_partner(user), opened=opened
    )
    newly_open = [
        StageOpened(user=user, stage_id=state.stage.slug)
        for state in journey.stages[1:]
        if state.is_open and state.stage.slug not in opened
    ]
    if newly_open:
        # Remembered the first time a stage is seen open (a rare write), so that adding
        # lessons to an earlier stage never locks anyone out of where they were.
        StageOpened.objects.bulk_create(newly_open, ignore_conflicts=True)
    return journey


def walking_partner(user) -> set[str] | None:
    """The partner's completions when both spouses have chosen to walk together."""
    members = list(Membership.objects.filter(couple__members__user=user))
    if len(members) != 2 or not all(member.walk_together for member in members):
        return None
    partner_id = next(member.user_id for member in members if member.user_id != user.pk)
    return set(Completion.objects.filter(user_id=partner_id).values_list("lesson_id", flat=True))


def gate_wait(user, stages: tuple[StageView, ...]) -> GateWait | None:
    """Where `user` and their partner, walking together, wait for each other, if they do."""
    theirs = walking_partner(user)
    if theirs is None:
        return None
    waits = gate_waits(stages, completed_slugs(user), theirs)
    return waits[0] if waits else None

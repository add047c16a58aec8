"""What each spouse reads of a lesson, by where they said they stand (accounts.Role).

A lesson is stored as parts (course.content): shared text, parts for one role, and
exercises. Shared text and exercises are for everyone. Role parts and questions go by
the reader's role:

    role                  role parts inline          folded, opened on asking   questions
    hurt                  hurt                       broke                      all + hurt
    broke                 broke                      hurt                       all + broke
    mutual                hurt and broke             -                          every one
    building              -                          hurt and broke             all
    not said, or visitor  hurt and broke, labelled   -                          every one

Someone who skips the question loses nothing: they read every part, each labelled.
The role is the reader's alone; nothing here is ever shown to their partner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from accounts.models import Role
from course.content import EXERCISE, ROLE

WHO = {Role.HURT: "the spouse who was hurt", Role.BROKE: "the spouse who broke trust"}
INLINE = {
    Role.HURT: {Role.HURT},
    Role.BROKE: {Role.BROKE},
    Role.MUTUAL: {Role.HURT, Role.BROKE},
    Role.BUILDING: set(),
    "": {Role.HURT, Role.BROKE},
}
# The questions a role is asked, beyond the ones for everyone.
ASKED = {**INLINE, Role.BUILDING: set()}


@dataclass(frozen=True)
class PartOnPage:
    """One part of a lesson as this reader sees it."""

    kind: str  # course.content SHARED, ROLE or EXERCISE
    html: str
    title: str = ""  # an exercise's
    agreement: str = ""  # what an exercise produces, if anything (course.agreements)
    label: str = ""  # who a role part is for, in words for this reader
    hint: str = ""  # why a folded part might be worth opening
    folded: bool = False  # behind a <details> the reader opens if they wish

    @property
    def is_exercise(self) -> bool:
        return self.kind == EXERCISE


def _reader(role: str | None) -> str:
    return role if role in INLINE else ""


def parts_for(role: str | None, parts: Sequence[dict[str, str]]) -> list[PartOnPage]:
    """The lesson's stored parts, in order, labelled and folded for a reader with `role`
    (None for a visitor)."""
    role = _reader(role)
    shown = []
    for part in parts:
        if part["kind"] != ROLE:
            shown.append(
                PartOnPage(
                    kind=part["kind"],
                    html=part["html"],
                    title=part["title"],
                    agreement=part.get("agreement", ""),
                )
            )
            continue
        written_for = part["role"]
        who = WHO.get(written_for, "one of you")
        if written_for in INLINE[role]:
            label = f"For {who}"
            if role == written_for:
                label = f"For you, as {who}"
            elif role == Role.MUTUAL:
                label = f"For you, as {who.replace('the spouse', 'a spouse')}"
            shown.append(PartOnPage(kind=ROLE, html=part["html"], label=label))
        else:
            hint = (
                "if it helps you understand"
                if role == Role.BUILDING
                else "read to understand your spouse"
            )
            shown.append(
                PartOnPage(kind=ROLE, html=part["html"], label=f"For {who}", hint=hint, folded=True)
            )
    return shown


def prompts_for(role: str | None, prompts: Sequence) -> list:
    """The questions this reader is asked: the ones for everyone and their role's."""
    asked = ASKED[_reader(role)]
    return [prompt for prompt in prompts if not prompt.role or prompt.role in asked]


def question_label(role: str | None, prompt) -> str:
    """Who a question is for, when the reader needs telling."""
    if not prompt.role:
        return ""
    if prompt.role == _reader(role):
        return "For you"
    return f"For {WHO.get(prompt.role, 'one of you')}"


def journal_for(role: str | None, stages: dict) -> dict:
    """The journal's questions as a lesson page chooses them (`prompts_for`), grouped
    {stage: {lesson: [row]}} like `course.journal.journal_rows`: the reader's own, each
    labelled where it helps, and every question they have answered whatever it was
    written for, so no word is ever out of reach. Lessons left with no row are left out."""
    asked = ASKED[_reader(role)]
    chosen: dict = {}
    for stage, lessons in stages.items():
        for lesson, rows in lessons.items():
            kept = [
                row
                for row in rows
                if not row.prompt.role or row.prompt.role in asked or row.answer is not None
            ]
            for row in kept:
                row.label = question_label(role, row.prompt)
            if kept:
                chosen.setdefault(stage, {})[lesson] = kept
    return chosen

"""Small commitments, kept or not: how trust is extended and earned in small steps.

Only the author marks their commitment kept or not kept; for a shared one that was
kept, the partner can confirm "I saw it kept". A partner may also propose a commitment,
which becomes the other's only once they accept it; until then the proposer may
withdraw it. Every write is one function here; who may see what is `course.sharing`'s
answer (`Commitment.objects.visible_to`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.links import are_partners, couple_of
from course.models import Commitment

TEXT_MAX_CHARS = 500
NOTE_MAX_CHARS = 2_000
TALLY_DAYS = 30
Status = Commitment.Status


class CommitmentRefused(Exception):
    """A reason, in words a spouse can read, why this cannot be done."""


def clean(text: str, limit: int) -> str:
    return text.replace("\r\n", "\n").replace("\x00", "").strip()[:limit]


def make_commitment(*, author, text: str, due_on: date, shared: bool = False) -> Commitment:
    text = clean(text, TEXT_MAX_CHARS)
    if not text:
        raise CommitmentRefused("Please write what you will do.")
    with transaction.atomic():
        couple = couple_of(author, lock=True) if shared else None
        return Commitment.objects.create(
            author=author, text=text, due_on=due_on, shared_with=couple
        )


def propose_commitment(*, proposer, partner, text: str, due_on: date) -> Commitment:
    """A small step asked of the partner; theirs to accept or decline."""
    text = clean(text, TEXT_MAX_CHARS)
    if not text:
        raise CommitmentRefused("Please write what you are asking for.")
    with transaction.atomic():
        couple = couple_of(proposer, lock=True)
        if partner is None or couple is None or not are_partners(proposer, partner):
            raise CommitmentRefused(
                "You can propose a commitment only to the spouse you are linked with."
            )
        return Commitment.objects.create(
            author=partner,
            proposed_by=proposer,
            text=text,
            due_on=due_on,
            shared_with=couple,
            proposed_in=couple,
            status=Status.PROPOSED,
        )


def _locked(commitment: Commitment) -> Commitment:
    locked = Commitment.objects.select_for_update().filter(pk=commitment.pk).first()
    if locked is None:
        # A proposal can now be withdrawn while the partner is answering it.
        raise CommitmentRefused("It is no longer here: it was withdrawn or deleted a moment ago.")
    return locked


def answer_proposal(*, author, commitment: Commitment, accept: bool) -> Commitment:
    with transaction.atomic():
        commitment = _locked(commitment)
        if commitment.author_id != author.pk:
            raise CommitmentRefused("Only the person it was proposed to can accept or decline it.")
        if commitment.status != Status.PROPOSED:
            raise CommitmentRefused("This proposal has already been answered.")
        commitment.status = Status.OPEN if accept else Status.DECLINED
        # Answered, it no longer waits in the link: an unlink keeps it (private again).
        commitment.proposed_in = None
        commitment.save(update_fields=["status", "proposed_in"])
    return commitment


def withdraw_proposal(*, proposer, commitment: Commitment) -> None:
    """The proposer takes back a proposal that has not been answered yet. It never
    became the partner's commitment, so nothing of it is kept."""
    with transaction.atomic():
        commitment = _locked(commitment)
        if commitment.proposed_by_id != proposer.pk:
            raise CommitmentRefused("Only the person who proposed it can withdraw it.")
        if commitment.status != Status.PROPOSED:
            raise CommitmentRefused(
                "It has already been answered, so it can no longer be withdrawn."
            )
        commitment.delete()


def mark_stamp(commitment: Commitment) -> str:
    """When the commitment was last marked, as a page carries it ("" for never)."""
    return commitment.marked_at.isoformat() if commitment.marked_at else ""


class MarkedMeanwhile(CommitmentRefused):
    """Marked (in another tab or device) since the page sending this mark was drawn."""


def mark_commitment(
    *, author, commitment: Commitment, kept: bool, note: str = "", seen=None
) -> Commitment:
    """The author says how it went. Marking again corrects an earlier mark.

    `seen` is when the page sending this saw it last marked (None: not checked; "" for
    never): a mark made since is not saved over, so no note is silently replaced."""
    with transaction.atomic():
        commitment = _locked(commitment)
        if commitment.author_id != author.pk:
            raise CommitmentRefused(
                "Only the person who made a commitment can mark it kept or not kept."
            )
        if seen is not None and seen != mark_stamp(commitment):
            raise MarkedMeanwhile(
                "This was marked in another tab or device after this page was opened. "
                "What is saved now is shown below; your words are still in the form. "
                "Save again to replace it with them."
            )
        if commitment.status not in (Status.OPEN, Status.KEPT, Status.NOT_KEPT):
            raise CommitmentRefused("Accept this commitment first; then you can mark it.")
        commitment.status = Status.KEPT if kept else Status.NOT_KEPT
        commitment.outcome_note = clean(note, NOTE_MAX_CHARS)
        commitment.marked_at = timezone.now()
        if not kept:
            commitment.partner_confirmed_at = None
        commitment.save(
            update_fields=["status", "outcome_note", "marked_at", "partner_confirmed_at"]
        )
    return commitment


def confirm_kept(*, viewer, commitment: Commitment) -> Commitment:
    """The partner's "I saw it kept", on a shared commitment its author marked kept."""
    with transaction.atomic():
        commitment = _locked(commitment)
        if commitment.author_id == viewer.pk:
            raise CommitmentRefused("Your spouse confirms your commitments, not you.")
        if not Commitment.objects.shared_by_partner_with(viewer).filter(pk=commitment.pk).exists():
            raise CommitmentRefused("Only your spouse's shared commitments can be confirmed.")
        if commitment.status != Status.KEPT:
            raise CommitmentRefused("It can be confirmed once it is marked kept.")
        if commitment.partner_confirmed_at is None:
            commitment.partner_confirmed_at = timezone.now()
            commitment.save(update_fields=["partner_confirmed_at"])
    return commitment


@dataclass
class Tally:
    kept: int = 0
    marked: int = 0
    days: int = TALLY_DAYS

    def __str__(self) -> str:
        return f"kept {self.kept} of {self.marked} in the last {self.days} days"


def tally(commitments: Iterable[Commitment], *, now: datetime | None = None) -> Tally:
    """Of the commitments marked in the last 30 days, how many were kept."""
    since = (now or timezone.now()) - timedelta(days=TALLY_DAYS)
    result = Tally()
    for commitment in commitments:
        if commitment.is_marked and commitment.marked_at and commitment.marked_at >= since:
            result.marked += 1
            result.kept += commitment.status == Status.KEPT
    return result


def shared_tallies(user, partner) -> dict:
    """For /us/: both spouses' tallies of their shared commitments."""
    since = timezone.now() - timedelta(days=TALLY_DAYS)
    # One query for the two: the spouse's rows are the ones the rule shows of theirs.
    shared = list(
        Commitment.objects.visible_to(user).filter(shared_with__isnull=False).marked_since(since)
    )
    mine = [commitment for commitment in shared if commitment.author_id == user.pk]
    theirs = [commitment for commitment in shared if commitment.author_id != user.pk]
    return {"tally_mine": tally(mine), "tally_partner": tally(theirs)}


@dataclass
class Groups:
    proposed: list[Commitment] = field(default_factory=list)  # waiting for an answer
    due: list[Commitment] = field(default_factory=list)  # open, due today or earlier
    upcoming: list[Commitment] = field(default_factory=list)  # open, due later
    past: list[Commitment] = field(default_factory=list)  # marked or declined, newest first


def group(commitments: Iterable[Commitment], today: date | None = None) -> Groups:
    today = today or timezone.localdate()
    groups = Groups()
    for commitment in commitments:
        if commitment.status == Status.PROPOSED:
            groups.proposed.append(commitment)
        elif commitment.status == Status.OPEN:
            (groups.due if commitment.due_on <= today else groups.upcoming).append(commitment)
        else:
            groups.past.append(commitment)
    groups.past.sort(key=lambda c: (c.marked_at or c.created_at, c.pk), reverse=True)
    return groups

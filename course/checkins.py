"""Trust check-ins: each spouse rates the signs of trust, 1 to 5, as often as they like.

One check-in per day and spouse: checking in again on the same day updates that day's
ratings. Scores are private unless shared; the note is shared only when chosen as well.
Reading someone else's check-ins goes through `CheckIn.objects.visible_to` (course.sharing);
a share belongs to the link it was made in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.links import couple_of
from course.charts import Series, line_chart
from course.commitments import shared_tallies
from course.models import SIGN_FIELDS, SIGNS, CheckIn

NOTE_MAX_CHARS = 2_000
SUGGEST_AFTER_DAYS = 7


def clean_note(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\x00", "").strip()[:NOTE_MAX_CHARS]


def record_checkin(
    *,
    author,
    taken_on: date,
    scores: dict[str, int],
    note: str = "",
    shared: bool = False,
    note_shared: bool = False,
) -> tuple[CheckIn, bool]:
    """Save `author`'s ratings for `taken_on`; a second check-in that day replaces the
    first. Returns the check-in and whether it is new."""
    missing = [field for field in SIGN_FIELDS if scores.get(field) not in range(1, 6)]
    if missing:
        raise ValueError(f"ratings must be 1 to 5; missing or out of range: {missing}")
    couple = couple_of(author) if shared else None
    values = {
        **{field: scores[field] for field in SIGN_FIELDS},
        "note": clean_note(note),
        "shared_with": couple,
        "note_shared": couple is not None and note_shared,
    }
    return CheckIn.objects.update_or_create(author=author, taken_on=taken_on, defaults=values)


def delete_checkin(*, author, checkin: CheckIn) -> None:
    """Delete one of `author`'s own check-ins for good: its ratings and its note.

    The other check-ins, and what is shared of them, stay as they are.
    """
    if checkin.author_id != author.pk:
        raise PermissionError("only its author can delete a check-in")
    CheckIn.objects.filter(pk=checkin.pk, author=author).delete()


def set_checkin_sharing(*, author, scores: bool | None = None, notes: bool | None = None) -> int:
    """Share or withdraw all of `author`'s check-ins at once: scores, notes, or both.

    Notes go with scores: sharing notes shares scores too; withdrawing scores withdraws
    notes. Takes effect on the partner's very next request. Returns the rows changed.
    """
    couple = couple_of(author) if scores or notes else None
    changes: dict = {}
    if scores is not None:
        changes["shared_with"] = couple if scores else None
        if not scores:
            changes["note_shared"] = False
    if notes is not None:
        changes["note_shared"] = notes
        if notes:
            changes["shared_with"] = couple
    if not changes or (changes.get("shared_with", True) is None and (scores or notes)):
        # Sharing needs a link to belong to.
        return 0
    return CheckIn.objects.filter(author=author).update(**changes, updated_at=timezone.now())


def days_since_last_checkin(user, today: date | None = None) -> int | None:
    """For the home page's gentle suggestion. One query; None if never checked in."""
    last = (
        CheckIn.objects.filter(author=user)
        .order_by("-taken_on")
        .values_list("taken_on", flat=True)
        .first()
    )
    if last is None:
        return None
    return max(((today or timezone.localdate()) - last).days, 0)


@dataclass
class SignChart:
    field: str
    label: str
    statement: str
    svg: SafeString


def history_charts(checkins: list[CheckIn]) -> tuple[SafeString, list[SignChart]]:
    """The overall chart and one small chart per sign, for the author's own history."""
    if not checkins:
        return SafeString(""), []
    overall = line_chart(
        [Series("Average of the seven signs", [(c.taken_on, c.average) for c in checkins])],
        chart_id="chart-overall",
        title="Your trust check-ins over time: the average of the seven signs",
    )
    signs = [
        SignChart(
            field,
            label,
            statement,
            line_chart(
                [Series(label, [(c.taken_on, getattr(c, field)) for c in checkins])],
                chart_id=f"chart-{field}",
                title=f"{statement} Your ratings over time",
                width=320,
                height=150,
                legend=False,
            ),
        )
        for field, label, statement in SIGNS
    ]
    return overall, signs


def history_rows(checkins: list[CheckIn]) -> list[CheckIn]:
    """Newest first, for the table under the charts."""
    return sorted(checkins, key=lambda c: c.taken_on, reverse=True)


def our_trust(user, partner) -> dict:
    """For /us/: both spouses' check-in averages on one chart (the partner's only when
    shared), the notes the partner shared, and both tallies of shared commitments."""
    mine = list(CheckIn.objects.filter(author=user))
    theirs = list(CheckIn.objects.shared_by_partner_with(user))
    series = [
        Series(label, [(c.taken_on, c.average) for c in checkins], css)
        for label, checkins, css in (
            ("You", mine, "overall"),
            (partner.display_name, theirs, "partner"),
        )
        if checkins
    ]
    chart = (
        line_chart(
            series,
            chart_id="chart-us",
            title=f"Trust check-ins over time: you and {partner.display_name}",
        )
        if series
        else SafeString("")
    )
    by_day: dict[date, dict[str, float]] = {}
    for key, checkins in (("mine", mine), ("theirs", theirs)):
        for checkin in checkins:
            by_day.setdefault(checkin.taken_on, {})[key] = checkin.average
    return {
        "trust_chart": chart,
        "trust_rows": [{"day": day, **by_day[day]} for day in sorted(by_day, reverse=True)],
        "trust_partner_notes": [c for c in reversed(theirs) if c.note and c.note_visible_to(user)],
        "trust_mine_shared": sum(1 for c in mine if c.shared),
        "trust_mine_total": len(mine),
        "trust_partner_shared": len(theirs),
        **shared_tallies(user, partner),
    }

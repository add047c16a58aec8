"""Trust check-ins: each spouse rates the signs of trust, 1 to 5, as often as they like:
what they see in themselves and what they see in their spouse, never "we" as one.

Either column may be skipped (a spouse who was hurt may rate only their partner, or only
themselves), but not both. One check-in per day and spouse: checking in again on the same
day updates that day's ratings. A check-in starts private and is shared one at a time; the
note only when chosen as well. Reading someone else's check-ins goes through
`CheckIn.objects.visible_to` (course.sharing); a share belongs to the link it was made in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.safestring import SafeString

from accounts.links import couple_of
from course.charts import Series, line_chart
from course.commitments import shared_tallies
from course.models import SIGN_KEYS, SIGNS, CheckIn

NOTE_MAX_CHARS = 2_000
SUGGEST_AFTER_DAYS = 7


def clean_note(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\x00", "").strip()[:NOTE_MAX_CHARS]


def record_checkin(
    *,
    author,
    taken_on: date,
    self_scores: dict[str, int] | None = None,
    spouse_scores: dict[str, int] | None = None,
    note: str = "",
    shared: bool = False,
    note_shared: bool = False,
) -> tuple[CheckIn, bool]:
    """Save `author`'s ratings for `taken_on`: of themselves, of their spouse, or both
    (each a dict from sign key to 1..5, or None to skip it). A second check-in that day
    replaces the first. Returns the check-in and whether it is new."""
    if not self_scores and not spouse_scores:
        raise ValueError("a check-in rates the author, their spouse, or both")
    values: dict = {}
    for prefix, scores in (("self", self_scores), ("spouse", spouse_scores)):
        if scores:
            bad = [key for key in SIGN_KEYS if scores.get(key) not in range(1, 6)]
            if bad:
                raise ValueError(f"{prefix} ratings must be 1 to 5; missing or out of range: {bad}")
        for key in SIGN_KEYS:
            values[f"{prefix}_{key}"] = scores[key] if scores else None
    couple = couple_of(author) if shared else None
    values |= {
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


class Sharing:
    """How much of one check-in the partner sees."""

    PRIVATE = "private"
    SCORES = "scores"
    SCORES_AND_NOTE = "scores-and-note"
    CHOICES = (PRIVATE, SCORES, SCORES_AND_NOTE)


def share_checkin(*, author, checkin: CheckIn, sharing: str) -> bool:
    """Share one of `author`'s check-ins with the current link, or make it private again.

    Only ever this one check-in: there is deliberately no way to share a whole history at
    once, so each past rating is shown only by its own choice. Takes effect on the
    partner's very next request. Returns False when sharing needs a link and there is none.
    """
    if checkin.author_id != author.pk or sharing not in Sharing.CHOICES:
        raise ValueError("only its author can share a check-in, in one of Sharing.CHOICES")
    couple = None if sharing == Sharing.PRIVATE else couple_of(author)
    if sharing != Sharing.PRIVATE and couple is None:
        return False
    CheckIn.objects.filter(pk=checkin.pk, author=author).update(
        shared_with=couple,
        note_shared=sharing == Sharing.SCORES_AND_NOTE,
        updated_at=timezone.now(),
    )
    return True


def make_all_private(*, author) -> int:
    """Withdraw every one of `author`'s check-ins at once (scores and notes). Withdrawing
    all at once is safe, unlike sharing all at once. Returns the rows changed."""
    return (
        CheckIn.objects.filter(author=author)
        .exclude(shared_with=None, note_shared=False)
        .update(shared_with=None, note_shared=False, updated_at=timezone.now())
    )


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


def chart_if_a_line(series: list[Series], **options) -> SafeString:
    """A chart only once some line has two points: a single check-in is shown as its
    numbers (in the table beside it), not as a lone dot on an empty grid."""
    series = [line for line in series if line.points]
    if not any(len(line.points) > 1 for line in series):
        return SafeString("")
    return line_chart(series, **options)


def _points(checkins: list[CheckIn], value) -> list[tuple[date, float]]:
    return [(c.taken_on, v) for c in checkins if (v := value(c)) is not None]


@dataclass
class SignChart:
    key: str
    label: str
    svg: SafeString


def history_charts(checkins: list[CheckIn]) -> tuple[SafeString, list[SignChart]]:
    """The overall chart (me and my spouse, as I see us) and one small chart per sign,
    for the author's own history; empty until some line has two points."""
    overall = chart_if_a_line(
        [
            Series("Me", _points(checkins, lambda c: c.self_average), "0"),
            Series("My spouse", _points(checkins, lambda c: c.spouse_average), "partner"),
        ],
        chart_id="chart-overall",
        title="Your trust check-ins over time: the average of the seven signs, "
        "for you and for your spouse, as you see them",
    )
    if not overall:
        return overall, []
    signs = [
        SignChart(
            key,
            label,
            chart_if_a_line(
                [
                    Series("Me", _points(checkins, lambda c, k=key: getattr(c, f"self_{k}"))),
                    Series(
                        "My spouse",
                        _points(checkins, lambda c, k=key: getattr(c, f"spouse_{k}")),
                        "partner",
                    ),
                ],
                chart_id=f"chart-{key}",
                title=f"{label}: your ratings of yourself and of your spouse over time",
                width=320,
                height=170,
            ),
        )
        for key, label, _, _ in SIGNS
    ]
    return overall, [sign for sign in signs if sign.svg]


def history_rows(checkins: list[CheckIn]) -> list[CheckIn]:
    """Newest first, for the table under the charts."""
    return sorted(checkins, key=lambda c: c.taken_on, reverse=True)


def our_trust(user, partner) -> dict:
    """For /us/: two charts, each drawn once a line has two points. How each of you sees
    themselves, and how each of you sees the other; the partner's lines hold only the
    check-ins they shared, one by one. Also the notes they shared and both tallies of
    shared commitments."""
    # One query for the two (the spouse's rows are the ones the rule shows of theirs).
    seen = list(CheckIn.objects.visible_to(user))
    mine = [checkin for checkin in seen if checkin.author_id == user.pk]
    theirs = [checkin for checkin in seen if checkin.author_id != user.pk]
    name = partner.display_name
    themselves = chart_if_a_line(
        [
            Series("You", _points(mine, lambda c: c.self_average), "0"),
            Series(name, _points(theirs, lambda c: c.self_average), "partner"),
        ],
        chart_id="chart-us-self",
        title=f"How you and {name} each see yourselves, over time",
    )
    each_other = chart_if_a_line(
        [
            Series(f"You, about {name}", _points(mine, lambda c: c.spouse_average), "0"),
            Series(f"{name}, about you", _points(theirs, lambda c: c.spouse_average), "partner"),
        ],
        chart_id="chart-us-other",
        title=f"How you and {name} see each other, over time",
    )
    labels = ("You, about yourself", f"You, about {name}", f"{name}, about themselves")
    labels += (f"{name}, about you",)
    by_day: dict[date, list[float | None]] = {}
    for offset, checkins in ((0, mine), (2, theirs)):
        for checkin in checkins:
            row = by_day.setdefault(checkin.taken_on, [None] * 4)
            row[offset : offset + 2] = [checkin.self_average, checkin.spouse_average]
    return {
        "trust_charts": [chart for chart in (themselves, each_other) if chart],
        "trust_rows": [
            {"day": day, "cells": list(zip(by_day[day], labels, strict=True))}
            for day in sorted(by_day, reverse=True)
        ],
        "trust_partner_notes": [c for c in reversed(theirs) if c.note and c.note_visible_to(user)],
        "trust_mine_shared": sum(1 for c in mine if c.shared),
        "trust_mine_total": len(mine),
        "trust_partner_shared": len(theirs),
        **shared_tallies(user, partner),
    }

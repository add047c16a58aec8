"""In-app notices: what is new for a person, on their home page until dismissed.

No email, no text of anyone's: a notice says only what kind of thing happened. The
course records shares, replies and proposals here (course may import accounts); linking
and unlinking are recorded by accounts.services.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import Notice

Kind = Notice.Kind


def tell(user, kind: str, *, couple=None) -> None:
    """Add a notice for `user`, or move the waiting one of the same kind to now."""
    now = timezone.now()
    moved = Notice.objects.filter(
        user=user, kind=kind, couple=couple, dismissed_at__isnull=True
    ).update(created_at=now)
    if not moved:
        Notice.objects.create(user=user, kind=kind, couple=couple, created_at=now)


def take_back(user, kind: str, *, couple) -> None:
    """What a waiting notice told of is gone before `user` looked (every answer shared
    was made private again): the notice goes too, so the page says only what is there."""
    Notice.objects.filter(user=user, kind=kind, couple=couple, dismissed_at__isnull=True).delete()


def waiting_for(user) -> list[Notice]:
    """The notices `user` has not dismissed, newest first (one query)."""
    return list(Notice.objects.filter(user=user, dismissed_at__isnull=True)[:10])


def dismiss(user, notice_id: int) -> bool:
    return bool(
        Notice.objects.filter(pk=notice_id, user=user, dismissed_at__isnull=True).update(
            dismissed_at=timezone.now()
        )
    )


def note_wait(user, *, couple_id: int | None, about: str | None) -> None:
    """Keep the one notice of where two spouses who walk together wait for each other.

    Waiting is a state, not an event: it is noted as it is found, once for each stage
    (`about`), so a dismissed wait stays dismissed. A wait that has ended (the other
    finished, or they no longer walk together) goes, since it no longer says anything."""
    waits = Notice.objects.filter(user=user, kind=Kind.WAITING)
    ended = waits.exclude(couple_id=couple_id, about=about or "").filter(dismissed_at__isnull=True)
    # Asked first: a delete, even of nothing, is a write transaction, and this runs on
    # every visit to the home page (SQLite lets one writer in at a time).
    if ended.exists():
        ended.delete()
    if about and couple_id is not None:
        Notice.objects.get_or_create(
            user=user,
            kind=Kind.WAITING,
            couple_id=couple_id,
            about=about,
            defaults={"created_at": timezone.now()},
        )

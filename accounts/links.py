"""The link between two spouses: who, if anyone, a person is linked with.

This is all `accounts` knows of sharing. What one spouse may see of the other's course
data is `course.sharing`'s answer, and it always goes through the couple row found here:
a share belongs to the link it was made in, so ending the link (deleting the couple)
ends every share of it.
"""

from __future__ import annotations

from accounts.models import Couple, User


def partner_of(user) -> User | None:
    """The spouse `user` is linked with, or None. One query."""
    if not user.is_authenticated:
        return None
    return (
        User.objects.filter(membership__couple__members__user=user)
        .exclude(pk=user.pk)
        .select_related("membership")
        .first()
    )


def couple_of(user, *, lock: bool = False) -> Couple | None:
    """The link `user` is in now, or None. One query.

    `lock` (inside a transaction) holds the couple row until the transaction ends, for a
    caller about to store a share of it: an unlink under way then finishes first and the
    share sees no link, and an unlink that comes later waits and then ends the share. On
    SQLite, whose writers take turns anyway, there is nothing to lock.
    """
    if not user.is_authenticated:
        return None
    couples = Couple.objects.filter(members__user=user)
    if lock:
        couples = couples.select_for_update(of=("self",))
    return couples.first()


def are_partners(one, other) -> bool:
    if one is None or other is None or one.pk == other.pk:
        return False
    return Couple.objects.filter(members__user=one).filter(members__user=other).exists()

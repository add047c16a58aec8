"""The link between two spouses: who, if anyone, a person is linked with.

This is all `accounts` knows of sharing. What one spouse may see of the other's course
data is `course.sharing`'s answer, and it always goes through the couple row found here:
a share belongs to the link it was made in, so ending the link (deleting the couple)
ends every share of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import Couple, Membership, User


@dataclass(frozen=True)
class Link:
    """The link `user` is in now, as one query read it: their own membership, and their
    spouse (whose `membership` is loaded too). Read afresh for each request, never kept:
    an unlink must be seen on the very next one."""

    mine: Membership
    partner: User

    @property
    def couple_id(self) -> int:
        return self.mine.couple_id

    @property
    def walking_together(self) -> bool:
        """Both spouses chose that the next stage opens only when both have finished."""
        return self.mine.walk_together and self.partner.membership.walk_together


def link_of(user) -> Link | None:
    """`user`'s link, or None. One query: both memberships of the couple, each with its
    user (a page that needs the partner, the couple and who walks together asked three
    times before)."""
    if not user.is_authenticated:
        return None
    members = Membership.objects.filter(couple__members__user=user).select_related("user")
    mine = theirs = None
    for member in members:
        if member.user_id == user.pk:
            mine = member
        else:
            theirs = member
    if mine is None or theirs is None:
        return None
    return Link(mine, theirs.user)


def partner_of(user) -> User | None:
    """The spouse `user` is linked with (their `membership` loaded), or None. One query."""
    link = link_of(user)
    return link.partner if link else None


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

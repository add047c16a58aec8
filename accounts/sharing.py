"""THE access rule: what one person may see of another's progress and answers.

Every view that shows someone else's data asks here first; nothing filters by hand.
The rule, in words:
- you see everything of your own;
- your linked spouse sees your progress, and the answers you shared with them; an answer
  shared "when we've both answered" shows only once they have answered that prompt too
  (before that they see only that one is waiting);
- your spouse sees the trust check-ins whose scores you shared (their notes only if you
  shared those too), and the commitments you shared or that they proposed to you;
- nobody else sees anything, and views answer 404 so existence is not revealed.
Nothing here is cached: an unshare or an unlink is seen on the very next request.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet


def partner_of(user):
    """The spouse `user` is linked with, or None. One query."""
    if not user.is_authenticated:
        return None
    User = apps.get_model("accounts", "User")
    return (
        User.objects.filter(membership__couple__members__user=user)
        .exclude(pk=user.pk)
        .select_related("membership")
        .first()
    )


def are_partners(one, other) -> bool:
    if one is None or other is None or one.pk == other.pk:
        return False
    Membership = apps.get_model("accounts", "Membership")
    return Membership.objects.filter(user=other, couple__members__user=one).exists()


def _has_answered_too(viewer) -> Exists:
    """For a row of the other spouse's answers: has `viewer` written (non-empty) on that prompt?"""
    Answer = apps.get_model("course", "Answer")
    return Exists(
        Answer.objects.filter(author=viewer, prompt_id=OuterRef("prompt_id")).exclude(text="")
    )


def answers_visible_to(viewer, author, *, partner_checked: bool = False) -> QuerySet:
    """The answers of `author` that `viewer` may read, as a QuerySet.

    Pass `partner_checked=True` only when the caller has just established that the two
    are linked (with `partner_of`) in this same request, to save a query.
    """
    Answer = apps.get_model("course", "Answer")
    if viewer.pk == author.pk:
        return Answer.objects.filter(author=author)
    if not (partner_checked or are_partners(viewer, author)):
        return Answer.objects.none()
    return (
        Answer.objects.filter(author=author)
        .filter(Q(sharing="shared") | Q(_has_answered_too(viewer), sharing="when_both"))
        .exclude(text="")
    )


def answers_waiting_for(viewer, author) -> QuerySet:
    """Shared-when-both answers the viewer cannot read until they answer too."""
    Answer = apps.get_model("course", "Answer")
    if viewer.pk == author.pk:
        return Answer.objects.none()
    return (
        Answer.objects.filter(author=author, sharing="when_both")
        .exclude(text="")
        .exclude(_has_answered_too(viewer))
    )


def checkins_visible_to(viewer, author, *, partner_checked: bool = False) -> QuerySet:
    """The trust check-ins of `author` whose scores `viewer` may see."""
    CheckIn = apps.get_model("course", "CheckIn")
    if viewer.pk == author.pk:
        return CheckIn.objects.filter(author=author)
    if not (partner_checked or are_partners(viewer, author)):
        return CheckIn.objects.none()
    return CheckIn.objects.filter(author=author, shared=True)


def checkin_note_visible(viewer, checkin) -> bool:
    """For a check-in from `checkins_visible_to(viewer, ...)`: may `viewer` read its note?"""
    return viewer.pk == checkin.author_id or (checkin.shared and checkin.note_shared)


def commitments_visible_to(viewer, author, *, partner_checked: bool = False) -> QuerySet:
    """The commitments of `author` that `viewer` may see (proposals are always shared)."""
    Commitment = apps.get_model("course", "Commitment")
    if viewer.pk == author.pk:
        return Commitment.objects.filter(author=author)
    if not (partner_checked or are_partners(viewer, author)):
        return Commitment.objects.none()
    return Commitment.objects.filter(author=author, shared=True)


def may_see_commitment(viewer, commitment) -> bool:
    """The same rule as `commitments_visible_to`, for one commitment already loaded."""
    if viewer.pk == commitment.author_id:
        return True
    return commitment.shared and are_partners(viewer, commitment.author)

"""Writes that span models: inviting, accepting, unlinking. Each is one transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts import audit, notices
from accounts.links import partner_of
from accounts.models import Couple, Invitation, Membership, User

INVITATION_LIFETIME = timedelta(days=7)
# No 0/O or 1/I/L: a code is read aloud or typed from a phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class LinkRefused(Exception):
    """A reason, in words a spouse can read, why the link cannot be made."""


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


@dataclass
class NewInvitation:
    invitation: Invitation
    token: str
    code: str

    @property
    def path(self) -> str:
        return reverse("us:join", args=[self.token])

    @property
    def pretty_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def create_invitation(*, inviter: User, send_to: str = "", site_url: str = "") -> NewInvitation:
    if partner_of(inviter) is not None:
        raise LinkRefused(
            "You are already linked with your spouse. Unlink first to invite someone."
        )
    token = secrets.token_urlsafe(32)
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    with transaction.atomic():
        # One open invitation at a time: a new one replaces any earlier link or code.
        Invitation.objects.filter(inviter=inviter, status=Invitation.Status.PENDING).update(
            status=Invitation.Status.CANCELLED, answered_at=timezone.now()
        )
        invitation = Invitation.objects.create(
            inviter=inviter,
            token_hash=digest(token),
            code_hash=digest(code),
            sent_to=send_to,
            expires_at=timezone.now() + INVITATION_LIFETIME,
        )
    created = NewInvitation(invitation, token, code)
    if send_to:
        send_mail(
            # No name in the subject: it shows on a lock screen and in a shared inbox.
            subject="An invitation to Trellis",
            message=render_to_string(
                "accounts/email/invitation.txt",
                {
                    "inviter": inviter,
                    "url": (site_url or settings.SITE_URL) + created.path,
                    "code": created.pretty_code,
                    "expires_at": invitation.expires_at,
                },
            ),
            from_email=None,
            recipient_list=[send_to],
        )
    return created


def find_invitation(*, token: str = "", code: str = "") -> Invitation | None:
    if token:
        lookup = {"token_hash": digest(token)}
    elif normalise_code(code):
        lookup = {"code_hash": digest(normalise_code(code))}
    else:
        return None
    return Invitation.objects.select_related("inviter").filter(**lookup).first()


def why_unusable(invitation: Invitation | None, user: User | None = None) -> str:
    """Empty when the invitation can be answered by `user`; otherwise the reason."""
    if invitation is None:
        return "That invitation link or code is not one we know. Check it, or ask for a new one."
    if invitation.status == Invitation.Status.CANCELLED:
        return "This invitation was cancelled. Ask your spouse for a new one."
    if invitation.status != Invitation.Status.PENDING:
        return "This invitation has already been used."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired (they last 7 days). Ask your spouse for a new one."
    if user is not None and user.pk == invitation.inviter_id:
        return "This is your own invitation. Send the link or code to your spouse."
    return ""


def accept_invitation(*, invitation: Invitation, user: User) -> Couple:
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        reason = why_unusable(invitation, user)
        if reason:
            raise LinkRefused(reason)
        if partner_of(user) is not None:
            raise LinkRefused("You are already linked with a spouse. Unlink first to accept.")
        if partner_of(invitation.inviter) is not None:
            raise LinkRefused("The person who invited you is already linked with someone else.")
        couple = Couple.objects.create()
        try:
            Membership.objects.create(user=invitation.inviter, couple=couple)
            Membership.objects.create(user=user, couple=couple)
        except IntegrityError:
            raise LinkRefused("One of you is already linked. Unlink first.") from None
        invitation.status = Invitation.Status.ACCEPTED
        invitation.answered_by, invitation.answered_at = user, timezone.now()
        invitation.save(update_fields=["status", "answered_by", "answered_at"])
        # Neither spouse may be invited by anyone else while linked.
        Invitation.objects.filter(
            inviter__in=[user, invitation.inviter], status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.CANCELLED, answered_at=timezone.now())
        audit.record(user, audit.Kind.LINKED)
        audit.record(invitation.inviter, audit.Kind.LINKED)
        notices.tell(invitation.inviter, notices.Kind.LINKED, couple=couple)
    return couple


def decline_invitation(*, invitation: Invitation, user: User) -> None:
    reason = why_unusable(invitation, user)
    if reason:
        raise LinkRefused(reason)
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.PENDING).update(
        status=Invitation.Status.DECLINED, answered_by=user, answered_at=timezone.now()
    )


def cancel_invitation(*, invitation_id: int, inviter: User) -> bool:
    return bool(
        Invitation.objects.filter(
            pk=invitation_id, inviter=inviter, status=Invitation.Status.PENDING
        ).update(status=Invitation.Status.CANCELLED, answered_at=timezone.now())
    )


def _end_link(user: User) -> User | None:
    """Delete the couple `user` is in. Every share made in it ends with it, in the
    database: rows shared with the couple point at it with on_delete=SET_NULL, and the
    proposals still waiting in it with CASCADE. Returns the partner, if there was one."""
    partner = partner_of(user)
    Couple.objects.filter(members__user=user).delete()
    return partner


def unlink(*, user: User) -> User | None:
    """End the link. Everything either spouse shared in it is private again at once,
    and proposals still waiting between the two are withdrawn; journals are untouched.
    Linking again, with anyone, starts with nothing shared."""
    with transaction.atomic():
        partner = _end_link(user)
        for person in filter(None, (user, partner)):
            audit.record(person, audit.Kind.UNLINKED)
        if partner is not None:
            notices.tell(partner, notices.Kind.UNLINKED)
    if partner is not None:
        notify(partner, "unlinked", actor=user)
    return partner


def set_walk_together(*, user: User, on: bool) -> None:
    Membership.objects.filter(user=user).update(walk_together=on)


NOTICE_EVERY = timedelta(hours=1)
NOTICES = {
    "shared": "{name} shared an answer with you on Trellis.",
    "stage": "{name} finished a stage on Trellis.",
    "unlinked": "{name} ended the link between your Trellis accounts.",
}


def notify(recipient: User, event: str, *, actor: User) -> None:
    """A neutral email: it says what happened, never what anyone wrote.

    At most one of each kind an hour per recipient, so switching an answer's sharing
    back and forth cannot flood the partner. `cache.add` stores only if the key is not
    there yet, in one statement on the database table every worker shares.
    """
    if not recipient.notify_by_email:
        return
    if not cache.add(f"notice:{recipient.pk}:{event}", True, NOTICE_EVERY.total_seconds()):
        return
    line = NOTICES[event].format(name=actor.display_name)
    send_mail(
        subject="Trellis: link ended" if event == "unlinked" else "Trellis: news from your spouse",
        message=render_to_string(
            "accounts/email/notice.txt", {"line": line, "site_url": settings.SITE_URL}
        ),
        from_email=None,
        recipient_list=[recipient.email],
    )


def notify_partner(user: User, event: str) -> None:
    partner = partner_of(user)
    if partner is not None:
        notify(partner, event, actor=user)


def delete_account(*, user: User) -> None:
    """Delete a spouse and everything they wrote, in one transaction.

    Answers, their history, progress, check-ins, commitments, agreements (and every
    wording they wrote in their spouse's), invitations and the couple link go with the
    user row (the database cascades), and so do proposals
    still waiting between the two; the partner's own data is untouched. Every session
    of the user ends.
    """
    from allauth.usersessions.models import UserSession

    with transaction.atomic():
        partner = _end_link(user)
        if partner is not None:
            notices.tell(partner, notices.Kind.UNLINKED)
        for session in UserSession.objects.filter(user=user):
            session.end()
        audit.record(None, audit.Kind.DELETED)
        user.delete()


def sign_out_everywhere(*, user: User) -> int:
    from allauth.usersessions.models import UserSession

    sessions = list(UserSession.objects.filter(user=user))
    for session in sessions:
        session.end()
    audit.record(user, audit.Kind.SIGNED_OUT_EVERYWHERE)
    return len(sessions)

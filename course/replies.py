"""Replies: a spouse responds to an answer shared between the two of them.

A reply is a share of the link like the answer it answers: it belongs to the couple
(`shared_with`), both spouses see it while they are linked, and ending the link ends it.
Only an answer both spouses can read may be replied to, by either of them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from accounts import notices
from accounts.links import couple_of, partner_of
from course.models import Answer, Reply

TEXT_MAX_CHARS = 1_000


class ReplyRefused(Exception):
    """A reason, in words a spouse can read, why this reply cannot be added."""


class NotSharedNow(ReplyRefused):
    """The answer is no longer shared between the two (withdrawn, or the link ended)
    since the page offering the reply was drawn."""

    def __init__(self):
        super().__init__("This answer is no longer shared between you, so your reply was not sent.")


def between(viewer, partner):
    """The answers both spouses can read now: each one's shares the other may see."""
    return Answer.objects.filter(
        Q(pk__in=Answer.objects.shared_by_partner_with(viewer).values("pk"))
        | Q(pk__in=Answer.objects.shared_by_partner_with(partner).values("pk"))
    )


def add_reply(*, author, answer_id: int, kind: str, text: str = "") -> Reply:
    partner = partner_of(author)
    if partner is None:
        raise NotSharedNow
    answer = between(author, partner).filter(pk=answer_id).first()
    if answer is None:
        raise NotSharedNow
    if answer.author_id == author.pk and kind != Reply.Kind.WORDS:
        raise ReplyRefused("The short replies are for your spouse's answers.")
    text = text.replace("\r\n", "\n").replace("\x00", "").strip()
    if len(text) > TEXT_MAX_CHARS:
        raise ReplyRefused(
            f"A reply can be up to {TEXT_MAX_CHARS:,} characters; this one is {len(text):,}."
        )
    if kind not in Reply.Kind.values:
        raise ReplyRefused("Please choose how to reply.")
    if kind == Reply.Kind.WORDS and not text:
        raise ReplyRefused("Write a few words, or choose one of the short replies.")
    with transaction.atomic():
        # Locked, so an unlink racing the reply either ends it or comes after it.
        couple = couple_of(author, lock=True)
        if couple is None:
            raise ReplyRefused("This answer is no longer shared between you.")
        reply = Reply.objects.create(
            answer=answer,
            author=author,
            shared_with=couple,
            kind=kind,
            text=text if kind == Reply.Kind.WORDS else "",
        )
        notices.tell(partner, notices.Kind.REPLIED, couple=couple)
    return reply


def replies_for(viewer, answer_ids) -> dict[int, list[Reply]]:
    """The replies `viewer` may read under these answers, by answer id (one query)."""
    found: dict[int, list[Reply]] = {}
    for reply in Reply.objects.visible_to(viewer).filter(answer_id__in=list(answer_ids)):
        found.setdefault(reply.answer_id, []).append(reply)
    return found

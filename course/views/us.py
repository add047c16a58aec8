"""/us/: the couple's page. Both journeys, what each chose to share, trust over time.

It lives in `course` because it shows course data; linking, inviting and unlinking are
`accounts`' (accounts.couple_views). What it shows of the partner comes only from
`course.sharing`'s QuerySet methods and from what the partner chose to show of their
progress (`User.progress_shown`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST, require_safe

from accounts.couple_views import CodeForm, InviteForm
from accounts.decorators import login_required
from accounts.links import partner_of
from accounts.models import Invitation, User
from course.checkins import our_trust
from course.journal import answer_converter, render_answer, who_can_read
from course.journey import build_journey, gate_waits
from course.models import Answer, Commitment, Completion, Reply, Sharing
from course.replies import TEXT_MAX_CHARS, NotSharedNow, ReplyRefused, add_reply, replies_for
from course.snapshot import current_course


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(choices=Reply.Kind.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        label="Reply in a few words",
        required=False,
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


PROGRESS_SHOWN = {
    User.ProgressShown.STAGES: "{name} sees how far you are in each stage.",
    User.ProgressShown.FINISHED: "{name} sees only the stages you have finished.",
    User.ProgressShown.NOTHING: "{name} sees nothing of your progress.",
}


@dataclass
class StageSummary:
    """One stage of the partner's progress, as they chose to show it: never a private
    lesson, not as a row and not in a count."""

    title: str
    done: int
    total: int

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.done == self.total


def partner_progress(partner, stages, done: set[str]) -> list[StageSummary] | None:
    """The partner's stages as they chose to show them; None if they show nothing."""
    shown = partner.progress_shown
    if shown == User.ProgressShown.NOTHING:
        return None
    summaries = []
    for stage in stages:
        lessons = [lesson for lesson in stage.current_lessons if not lesson.private]
        summary = StageSummary(
            stage.title, sum(1 for lesson in lessons if lesson.slug in done), len(lessons)
        )
        if shown == User.ProgressShown.STAGES or summary.is_complete:
            summaries.append(summary)
    return summaries


@never_cache
@login_required
@require_safe
def us(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    if partner is None:
        pending = Invitation.objects.filter(
            inviter=request.user, status=Invitation.Status.PENDING
        ).first()
        return render(
            request,
            "accounts/us_unlinked.html",
            {"pending": pending, "invite_form": InviteForm(), "code_form": CodeForm()},
        )
    context = our_journey(request.user, partner, page=request.GET.get("page"))
    return render(request, "course/us.html", context)


@login_required
@require_POST
@sensitive_post_parameters("text")
def reply(request: HttpRequest, answer_id: int) -> HttpResponse:
    """A reply, or a gentle acknowledgement, under an answer shared between the two."""
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            add_reply(
                author=request.user,
                answer_id=answer_id,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except NotSharedNow as gone:
            # The answer left the page since it was drawn: say so, and keep the words.
            context = {"reason": str(gone), "text": form.cleaned_data["text"]}
            return render(request, "course/reply_not_sent.html", context, status=409)
        except ReplyRefused as refused:
            form.add_error("text", str(refused))
        else:
            messages.success(request, "Your reply is there for you both.")
            return redirect(reverse("us:index") + f"#answer-{answer_id}")
    # The page again, with what was typed kept in the form that failed.
    partner = partner_of(request.user)
    if partner is None:
        return redirect("us:index")
    context = our_journey(request.user, partner, showing=answer_id)
    for row in context["shared"]:
        if answer_id in row["answer_ids"]:
            row["reply_form"] = form
    return render(request, "course/us.html", context, status=400)


# Conversations on one page of /us/: drawing all of them (67 in the benchmark's couple,
# each with both answers and a reply form) was most of the page's time.
CONVERSATIONS_A_PAGE = 10
EARLIEST = datetime.min.replace(tzinfo=UTC)
# What the index of the conversations reads of each answer: never its text.
INDEX = ("pk", "prompt_id", "sharing", "shared_at", "updated_at")


def our_journey(user, partner, *, page=None, showing: int | None = None) -> dict:
    """Both spouses' progress (the partner's as they chose to show it), the answers
    shared between them and trust over time, in a fixed number of queries.

    The shared answers come newest first (the latest share or reply), a page of
    CONVERSATIONS_A_PAGE at a time: `page` is the page asked for, or `showing` an answer
    whose page to show. Only the answers and replies on that page are read whole."""
    course = current_course()
    stages = course.stages
    done: dict[int, set[str]] = {user.pk: set(), partner.pk: set()}
    for user_id, lesson_id in Completion.objects.filter(
        user_id__in=[user.pk, partner.pk]
    ).values_list("user_id", "lesson_id"):
        done[user_id].add(lesson_id)
    mine = build_journey(stages, done[user.pk])

    # The index of the conversations, as plain rows (no text): building ~130 model
    # instances here was a fifth of the page's time, and only a page of them is drawn.
    # Mine as the partner is offered them: the same rule that decides what they see.
    my_shared = {a["prompt_id"]: a for a in Answer.objects.offered_to(partner).values(*INDEX)}
    # Theirs offered to me: readable now, or waiting for mine (their text is never read).
    theirs_offered = list(Answer.objects.offered_and_readable(user).values(*INDEX, "readable"))
    offered = {a["prompt_id"]: a["sharing"] for a in theirs_offered}
    their_shared = {a["prompt_id"]: a for a in theirs_offered if a["readable"]}
    waiting = {a["prompt_id"]: a["shared_at"] for a in theirs_offered if not a["readable"]}
    slugs = set(my_shared) | set(their_shared) | set(waiting)
    # Replies only under answers both can read: mine the partner can read, theirs.
    readable_by_both = {a["pk"] for a in their_shared.values()} | {
        a["pk"]
        for a in my_shared.values()
        if a["sharing"] == Sharing.SHARED or a["prompt_id"] in offered
    }
    # The latest reply under each answer of the two (kept below only if both can read it).
    last_reply = dict(
        Reply.objects.visible_to(user)
        .values("answer_id")
        .annotate(last=Max("created_at"))
        .values_list("answer_id", "last")
    )
    # The prompts come from the worker's shared copy of the course: each spouse's part is
    # kept in the row, never set on the prompt.
    shared = []
    for prompt in course.prompts_with(slugs):
        my_answer = my_shared.get(prompt.slug)
        their_answer = their_shared.get(prompt.slug)
        answers = [a for a in (my_answer, their_answer) if a and a["pk"] in readable_by_both]
        moments = [a["shared_at"] or a["updated_at"] for a in (my_answer, their_answer) if a]
        moments += [last_reply[a["pk"]] for a in answers if a["pk"] in last_reply]
        moments += [waiting[prompt.slug]] if waiting.get(prompt.slug) else []
        shared.append(
            {
                "prompt": prompt,
                "mine": my_answer,
                "theirs": their_answer,
                "waiting": prompt.slug in waiting,
                "answer_ids": [a["pk"] for a in answers],
                "conversation": answers[0] if len(answers) == 1 else their_answer or None,
                "latest": max(moments, default=EARLIEST),
            }
        )
    shared.sort(key=lambda row: row["latest"], reverse=True)
    if showing is not None:
        at = next((n for n, row in enumerate(shared) if showing in row["answer_ids"]), 0)
        page = at // CONVERSATIONS_A_PAGE + 1
    conversations = Paginator(shared, CONVERSATIONS_A_PAGE).get_page(page)
    _read_conversations(user, partner, conversations.object_list, offered)
    walking = user.membership.walk_together and partner.membership.walk_together
    return {
        "partner": partner,
        "my_stages": mine.stages,
        "partner_stages": partner_progress(partner, stages, done[partner.pk]),
        "progress_shown_label": PROGRESS_SHOWN[user.progress_shown].format(
            name=partner.display_name
        ),
        "shared": conversations.object_list,
        "conversations": conversations,
        "waiting_for_me": [row for row in shared if row["waiting"]],
        "proposals_for_me": Commitment.objects.filter(
            author=user, status=Commitment.Status.PROPOSED
        ).count(),
        "gate": gate_waits(stages, done[user.pk], done[partner.pk]) if walking else [],
        "reply_form": ReplyForm(),
        "reply_kinds": [(k, label) for k, label in Reply.Kind.choices if k != Reply.Kind.WORDS],
        "my_membership": user.membership,
        "walking_together": walking,
        **our_trust(user, partner),
    }


def _read_conversations(user, partner, rows, offered: dict) -> None:
    """The answers, the reach and the replies of the conversations on this page only:
    two queries, however many there are. The index gave rows without text; the answers
    are read whole here, through the access rule again, so an answer unshared (or
    deleted) a moment ago shows nothing, and no answer is left to be loaded later, past
    the rule. The template gets these model instances, never an index row."""
    indexed = [a["pk"] for row in rows for a in (row["mine"], row["theirs"]) if a]
    whole = {a.pk: a for a in Answer.objects.visible_to(user).filter(pk__in=indexed)}
    for row in rows:
        for side in ("mine", "theirs", "conversation"):
            if row[side] is not None:
                row[side] = whole.get(row[side]["pk"])
    replies = replies_for(user, [pk for row in rows for pk in row["answer_ids"]])
    # Drawn as the writer's own workbook draws them, with one converter for the page.
    converter = answer_converter()
    for row in rows:
        for side in ("mine", "theirs"):
            answer = row[side]
            row[f"{side}_html"] = render_answer(answer.text, converter) if answer else ""
        my_answer = row["mine"]
        row["my_reach"] = (
            who_can_read(
                my_answer.sharing,
                partner,
                partner_offered=row["prompt"].slug in offered,
                private_lesson=False,
            )
            if my_answer
            else ""
        )
        row["replies"] = [r for pk in row["answer_ids"] for r in replies.get(pk, [])]
        row["replies"].sort(key=lambda r: r.created_at)

"""Trust over time: /check-ins/ (rate the signs of trust, see them over time, share) and
/commitments/ (small promises kept, confirmed, proposed).

Another spouse's check-ins and commitments are read only through `course.sharing`'s
QuerySet methods (`visible_to`);
a commitment nobody may see answers 404, one they may see but not change answers 403.
"""

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import notices
from accounts.decorators import login_required
from accounts.links import partner_of
from course import commitments as promises
from course.checkin_forms import CheckInForm, CommitmentForm, MarkForm, ProposalForm
from course.checkins import (
    Sharing,
    delete_checkin,
    history_charts,
    history_rows,
    make_all_private,
    record_checkin,
    share_checkin,
)
from course.models import CheckIn, Commitment


def _long_date(day) -> str:
    return f"{day.day} {day:%B %Y}"


# --- check-ins ------------------------------------------------------------------------------


@never_cache
@login_required
@require_safe
def checkins(request: HttpRequest) -> HttpResponse:
    mine = list(CheckIn.objects.filter(author=request.user))
    overall, sign_charts = history_charts(mine)
    return render(
        request,
        "course/checkins/index.html",
        {
            "partner": partner_of(request.user),
            "checkins": history_rows(mine),
            "overall_chart": overall,
            "sign_charts": sign_charts,
            "shared_count": sum(1 for c in mine if c.shared),
            "notes_shared_count": sum(1 for c in mine if c.shared and c.note_shared),
        },
    )


def _take_page(request, form, partner, status=200) -> HttpResponse:
    context = {"form": form, "partner": partner, "hurt": request.user.role == "hurt"}
    return render(request, "course/checkins/take.html", context, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("note", "text")
def take(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    if request.method == "GET":
        # Each check-in starts private: sharing it is a choice made for it, never one
        # carried over from the last.
        initial = {"taken_on": timezone.localdate()}
        return _take_page(request, CheckInForm(initial=initial, partner=partner), partner)

    form = CheckInForm(request.POST, partner=partner)
    if not form.is_valid():
        return _take_page(request, form, partner, status=400)
    data = form.cleaned_data
    _, created = record_checkin(
        author=request.user,
        taken_on=data["taken_on"],
        self_scores=form.column("self"),
        spouse_scores=form.column("spouse"),
        note=data["note"],
        shared=data["shared"],
        note_shared=data["note_shared"],
    )
    day = _long_date(data["taken_on"])
    messages.success(
        request,
        f"Your check-in for {day} is saved."
        if created
        else f"Your check-in for {day} is updated (one check-in per day).",
    )
    return redirect("checkins:index")


@never_cache
@login_required
@require_POST
def share(request: HttpRequest, pk: int) -> HttpResponse:
    """Share one check-in, or make it private again: never the whole history at once."""
    found = get_object_or_404(CheckIn.objects.filter(author=request.user), pk=pk)
    choice = request.POST.get("sharing")
    day = _long_date(found.taken_on)
    back = redirect(reverse("checkins:index") + f"#checkin-{found.pk}")
    if choice not in Sharing.CHOICES:
        messages.error(request, f"Please choose what to share of your check-in for {day}.")
        return back
    if not share_checkin(author=request.user, checkin=found, sharing=choice):
        messages.error(
            request, "Sharing starts once your account is linked with your spouse's on Us."
        )
        return back
    name = getattr(partner_of(request.user), "display_name", "your spouse")
    messages.success(
        request,
        {
            Sharing.PRIVATE: f"Your check-in for {day} is private again.",
            Sharing.SCORES: f"{name} now sees the scores of your check-in for {day}.",
            Sharing.SCORES_AND_NOTE: f"{name} now sees your check-in for {day}, note and all.",
        }[choice],
    )
    return back


@never_cache
@login_required
@require_POST
def sharing(request: HttpRequest) -> HttpResponse:
    """Make every check-in private at once. There is no "share all": see share_checkin."""
    if request.POST.get("sharing") != Sharing.PRIVATE:
        messages.error(request, "Sharing is chosen one check-in at a time, in the table.")
        return redirect(reverse("checkins:index") + "#sharing")
    make_all_private(author=request.user)
    messages.success(request, "Your check-ins, scores and notes, are all private again.")
    return redirect(reverse("checkins:index") + "#sharing")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the author's own: a partner who sees the scores gets 404 like everyone else.
    found = get_object_or_404(CheckIn.objects.filter(author=request.user), pk=pk)
    day = _long_date(found.taken_on)
    if request.method == "GET":
        context = {"checkin": found, "day": day, "partner": partner_of(request.user)}
        return render(request, "course/checkins/delete.html", context)
    delete_checkin(author=request.user, checkin=found)
    messages.success(request, f"Your check-in for {day} is deleted.")
    return redirect("checkins:index")


# --- commitments -----------------------------------------------------------------------------


def _commitments_page(request, *, form=None, proposal_form=None, status=200) -> HttpResponse:
    """The whole page in a fixed number of queries, however many commitments there are."""
    partner = partner_of(request.user)
    mine = list(Commitment.objects.filter(author=request.user).select_related("proposed_by"))
    theirs = list(Commitment.objects.shared_by_partner_with(request.user))
    today = timezone.localdate()
    # A promise is for the days ahead: the date starts a week out, and can be changed.
    a_week_later = today + timedelta(days=7)
    # The partner's kept promises wait at the top for "I saw it kept", not in the history.
    to_confirm = [
        c for c in theirs if c.status == Commitment.Status.KEPT and not c.partner_confirmed_at
    ]
    context = {
        "partner": partner,
        "mine": promises.group(mine, today),
        "theirs": promises.group([c for c in theirs if c not in to_confirm], today),
        "to_confirm": to_confirm,
        "tally": promises.tally(mine),
        "today": today,
        "form": form or CommitmentForm(partner=partner, initial={"due_on": a_week_later}),
        "proposal_form": proposal_form or ProposalForm(initial={"due_on": a_week_later}),
    }
    return render(request, "course/checkins/commitments.html", context, status=status)


@never_cache
@login_required
@require_safe
def commitments(request: HttpRequest) -> HttpResponse:
    return _commitments_page(request)


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("note", "text")
def create(request: HttpRequest) -> HttpResponse:
    form = CommitmentForm(request.POST, partner=partner_of(request.user))
    if not form.is_valid():
        return _commitments_page(request, form=form, status=400)
    try:
        made = promises.make_commitment(author=request.user, **form.cleaned_data)
    except promises.CommitmentRefused as refused:
        form.add_error("text", str(refused))
        return _commitments_page(request, form=form, status=400)
    if made.due_on < timezone.localdate():
        messages.warning(
            request,
            f"Saved, though its date ({_long_date(made.due_on)}) has already passed. "
            "You can mark it kept or not kept now.",
        )
    else:
        messages.success(request, "Your commitment is saved.")
    return redirect("commitments:index")


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("note", "text")
def propose(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    form = ProposalForm(request.POST)
    if not form.is_valid():
        return _commitments_page(request, proposal_form=form, status=400)
    try:
        proposal = promises.propose_commitment(
            proposer=request.user, partner=partner, **form.cleaned_data
        )
    except promises.CommitmentRefused as refused:
        messages.error(request, str(refused))
        return redirect("commitments:index")
    notices.tell(partner, notices.Kind.PROPOSED, couple=proposal.proposed_in)
    messages.success(request, f"Your proposal is waiting for {partner.display_name}'s answer.")
    return redirect("commitments:index")


def _visible(request: HttpRequest, pk: int) -> Commitment:
    return get_object_or_404(
        Commitment.objects.visible_to(request.user).select_related("author", "proposed_by"),
        pk=pk,
    )


def _refused(request: HttpRequest, commitment: Commitment, reason: str) -> HttpResponse:
    context = {"commitment": commitment, "reason": reason}
    return render(request, "course/checkins/refused.html", context, status=403)


@never_cache
@login_required
@require_safe
def commitment(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk)
    return render(
        request,
        "course/checkins/commitment.html",
        {
            "commitment": found,
            "form": MarkForm.for_commitment(found),
            "today": timezone.localdate(),
        },
    )


@never_cache
@login_required
@require_POST
@sensitive_post_parameters("note", "text")
def mark(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk)
    form = MarkForm(request.POST)
    valid = form.is_valid()  # before the author check, so cleaned_data always exists
    if found.author_id == request.user.pk and not valid:
        context = {"commitment": found, "form": form, "today": timezone.localdate()}
        return render(request, "course/checkins/commitment.html", context, status=400)
    try:
        promises.mark_commitment(
            author=request.user,
            commitment=found,
            kept=form.cleaned_data.get("outcome") == "kept",
            note=form.cleaned_data.get("note", ""),
            seen=request.POST.get("seen"),  # absent: a form from before this check
        )
    except promises.MarkedMeanwhile as meanwhile:
        # Their words stay in the form, now based on what is stored, beside it.
        found.refresh_from_db()
        data = request.POST.copy()
        data["seen"] = promises.mark_stamp(found)
        context = {
            "commitment": found,
            "form": MarkForm(data),
            "today": timezone.localdate(),
            "meanwhile": str(meanwhile),
        }
        return render(request, "course/checkins/commitment.html", context, status=409)
    except promises.CommitmentRefused as refused:
        return _refused(request, found, str(refused))
    messages.success(
        request,
        "Marked kept."
        if form.cleaned_data["outcome"] == "kept"
        else "Marked not kept. Thank you for being honest about it.",
    )
    return redirect("commitments:index")


@never_cache
@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk)
    try:
        promises.confirm_kept(viewer=request.user, commitment=found)
    except promises.CommitmentRefused as refused:
        return _refused(request, found, str(refused))
    messages.success(request, f"You confirmed that {found.author.display_name} kept it.")
    return redirect(reverse("commitments:index") + "#theirs")


@never_cache
@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        promises.answer_proposal(author=request.user, commitment=found, accept=accept)
    except promises.CommitmentRefused as refused:
        return _refused(request, found, str(refused))
    messages.success(
        request,
        "You accepted it: it is now one of your commitments."
        if accept
        else "You declined it. That is all right: say what you can do instead.",
    )
    return redirect("commitments:index")


@never_cache
@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    found = _visible(request, pk)
    try:
        promises.withdraw_proposal(proposer=request.user, commitment=found)
    except promises.CommitmentRefused as refused:
        return _refused(request, found, str(refused))
    messages.success(
        request, f"You withdrew your proposal: {found.author.display_name} no longer sees it."
    )
    return redirect("commitments:index")

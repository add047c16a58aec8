"""Linking two accounts: invite, accept, walk together, unlink. The couple's page at
/us/ itself is course.views.us (it shows course data); its URLs are course/us_urls.py."""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.links import partner_of
from accounts.models import Invitation

CODE_ATTEMPTS = 5
CODE_WINDOW_SECONDS = 15 * 60


class InviteForm(forms.Form):
    send_to = forms.EmailField(
        label="Your spouse's email (optional)",
        required=False,
        # The column's length: a longer address would fail on PostgreSQL, not in the form.
        max_length=Invitation._meta.get_field("sent_to").max_length,
        help_text="We send only the link and code: never anything from your journal.",
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Invitation code", max_length=20, help_text="For example K7QM-4TZP"
    )


def _code_attempts_left(request: HttpRequest) -> int:
    """Codes are short, so guesses are limited per account and per address."""
    keys = [f"us-code:user:{request.user.pk}", f"us-code:ip:{request.META.get('REMOTE_ADDR')}"]
    used = max(cache.get(key, 0) for key in keys)
    return CODE_ATTEMPTS - used


def _count_code_attempt(request: HttpRequest) -> None:
    for key in (f"us-code:user:{request.user.pk}", f"us-code:ip:{request.META.get('REMOTE_ADDR')}"):
        cache.add(key, 0, CODE_WINDOW_SECONDS)
        cache.incr(key)


@login_required
@require_POST
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "accounts/us_unlinked.html",
            {"invite_form": form, "code_form": CodeForm()},
            status=400,
        )
    try:
        created = services.create_invitation(
            inviter=request.user, send_to=form.cleaned_data["send_to"]
        )
    except services.LinkRefused as refused:
        messages.error(request, str(refused))
        return redirect("us:index")
    response = render(
        request,
        "accounts/invitation_created.html",
        {"created": created, "url": request.build_absolute_uri(created.path)},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    if services.cancel_invitation(invitation_id=invitation_id, inviter=request.user):
        messages.info(request, "The invitation is cancelled; its link and code no longer work.")
    return redirect("us:index")


def _confirm_page(request, invitation, *, token="", code="", status=200) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    reason = services.why_unusable(invitation, user)
    if not reason and user is not None and partner_of(user) is not None:
        reason = "You are already linked with a spouse. Unlink first to accept a new invitation."
    context = {"invitation": invitation, "reason": reason, "token": token, "code": code}
    if reason:
        status = 410 if invitation else 404
    return render(request, "accounts/join.html", context, status=status)


@never_cache
@require_http_methods(["GET"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.find_invitation(token=token)
    return _confirm_page(request, invitation, token=token)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def enter_code(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _code_attempts_left(request) <= 0:
            form.add_error(
                "code", "Too many tries. Please wait 15 minutes, or use the link instead."
            )
            return render(request, "accounts/enter_code.html", {"form": form}, status=429)
        _count_code_attempt(request)
        invitation = services.find_invitation(code=form.cleaned_data["code"])
        if invitation is None:
            form.add_error(
                "code", "That code does not match an invitation. Check it and try again."
            )
        else:
            return _confirm_page(request, invitation, code=form.cleaned_data["code"])
    return render(request, "accounts/enter_code.html", {"form": form})


@login_required
@require_POST
def answer_invitation(request: HttpRequest) -> HttpResponse:
    token, code = request.POST.get("token", ""), request.POST.get("code", "")
    if code and not token and _code_attempts_left(request) <= 0:
        messages.error(request, "Too many tries. Please wait 15 minutes, or use the link instead.")
        return redirect("us:index")
    invitation = services.find_invitation(token=token, code=code)
    if invitation is None:
        if code and not token:
            # Otherwise codes could be guessed here without limit, skipping /us/code/.
            _count_code_attempt(request)
        return _confirm_page(request, None)
    try:
        if request.POST.get("answer") == "accept":
            services.accept_invitation(invitation=invitation, user=request.user)
            messages.success(request, f"You and {invitation.inviter.display_name} are now linked.")
            return redirect("us:index")
        services.decline_invitation(invitation=invitation, user=request.user)
        messages.info(request, "You declined the invitation. Nothing was linked.")
        return redirect("home")
    except services.LinkRefused as refused:
        messages.error(request, str(refused))
        return redirect("us:index")


@login_required
@require_POST
def walk_together(request: HttpRequest) -> HttpResponse:
    if partner_of(request.user) is None:
        return redirect("us:index")
    on = request.POST.get("walk_together") == "on"
    services.set_walk_together(user=request.user, on=on)
    messages.success(
        request,
        "You asked to walk together: the next stage opens when you have both finished."
        if on
        else "Walking together is off for you: each of you moves at your own pace.",
    )
    return redirect(reverse("us:index") + "#walk")


@never_cache
@login_required
@reauthentication_required
@require_http_methods(["GET", "POST"])
def unlink(request: HttpRequest) -> HttpResponse:
    partner = partner_of(request.user)
    if partner is None:
        return redirect("us:index")
    if request.method == "POST":
        services.unlink(user=request.user)
        messages.info(
            request,
            "Your accounts are no longer linked. Your journal is untouched and private.",
        )
        return redirect("us:index")
    return render(request, "accounts/unlink.html", {"partner": partner})

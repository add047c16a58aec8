"""Linking two accounts: invite, accept, walk together, unlink. The couple's page at
/us/ itself is course.views.us (it shows course data); its URLs are course/us_urls.py."""

from allauth.account.decorators import reauthentication_required
from allauth.core import ratelimit
from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services
from accounts.decorators import login_required
from accounts.links import partner_of
from accounts.models import Invitation

TOO_MANY_TRIES = "Too many tries. Please wait 15 minutes, or use the link instead."
CODE_CHECKED = "us-code-checked"
TOO_MANY_INVITATIONS = (
    "We have sent several invitations by email today, so we will not send another until "
    "tomorrow. Leave the email empty to get a link and code you can pass on yourself."
)


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


def _may_try_a_code(request: HttpRequest) -> bool:
    """Codes are short, so guesses are limited per account and per address
    (ACCOUNT_RATE_LIMITS["invitation_code"]). allauth's limiter counts and checks in one
    step, under a lock, and reads the address through the trusted proxies."""
    return ratelimit.consume(request, action="invitation_code", user=request.user)


def _may_send_an_invitation_to(request: HttpRequest, address: str) -> bool:
    """Invitation emails are limited per account and per address they go to
    (ACCOUNT_RATE_LIMITS["invitation_email"]), so Trellis cannot be used to flood
    someone's inbox."""
    return ratelimit.consume(
        request, action="invitation_email", user=request.user, key=address.lower()
    )


def _code_checked(request: HttpRequest, code: str) -> bool:
    """This code was typed on /us/code/ in this session, and counted there."""
    return request.session.get(CODE_CHECKED) == services.digest(services.normalise_code(code))


INVITATION_TO_SHOW = "invitation_to_show"


def _site_url(request: HttpRequest) -> str:
    """Where an invitation link points. In development, the address in use (a phone on the
    same network, another port); in production only SITE_URL, never a Host header."""
    if settings.DEBUG:
        return request.build_absolute_uri("/").removesuffix("/")
    return settings.SITE_URL


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
    send_to = form.cleaned_data["send_to"]
    if send_to and not _may_send_an_invitation_to(request, send_to):
        form.add_error("send_to", TOO_MANY_INVITATIONS)
        return render(
            request,
            "accounts/us_unlinked.html",
            {"invite_form": form, "code_form": CodeForm()},
            status=429,
        )
    try:
        created = services.create_invitation(
            inviter=request.user, send_to=form.cleaned_data["send_to"], site_url=_site_url(request)
        )
    except services.LinkRefused as refused:
        messages.error(request, str(refused))
        return redirect("us:index")
    # Shown once, on the page this redirects to: reloading that page must not make a new
    # invitation (which cancelled the one already in the spouse's inbox). The link and
    # code wait in the session only until that page reads them, one request later.
    request.session[INVITATION_TO_SHOW] = {
        "url": _site_url(request) + created.path,
        "code": created.pretty_code,
        "sent_to": created.invitation.sent_to,
    }
    return redirect("us:invitation_created")


@never_cache
@login_required
@require_safe
def invitation_created(request: HttpRequest) -> HttpResponse:
    """The new invitation's link and code, once; a reload says where they went."""
    shown = request.session.pop(INVITATION_TO_SHOW, None)
    response = render(request, "accounts/invitation_created.html", {"shown": shown})
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
        if not _may_try_a_code(request):
            form.add_error("code", TOO_MANY_TRIES)
            return render(request, "accounts/enter_code.html", {"form": form}, status=429)
        code = form.cleaned_data["code"]
        invitation = services.find_invitation(code=code)
        if invitation is None:
            form.add_error(
                "code", "That code does not match an invitation. Check it and try again."
            )
        else:
            request.session[CODE_CHECKED] = services.digest(services.normalise_code(code))
            return _confirm_page(request, invitation, code=code)
    return render(request, "accounts/enter_code.html", {"form": form})


@login_required
@require_POST
def answer_invitation(request: HttpRequest) -> HttpResponse:
    token, code = request.POST.get("token", ""), request.POST.get("code", "")
    # A code not typed on /us/code/ first counts here, or codes could be guessed
    # without limit by skipping that page.
    if code and not token and not _code_checked(request, code) and not _may_try_a_code(request):
        messages.error(request, TOO_MANY_TRIES)
        return redirect("us:index")
    invitation = services.find_invitation(token=token, code=code)
    if invitation is None:
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

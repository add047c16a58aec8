"""When a form cannot be saved because the session changed under it, its words are
shown back, not dropped.

Two cases: the person was signed out since the page was drawn (timeout, another tab,
"sign out everywhere"), or signed in again in another tab, which gives the browser a new
CSRF token so this page's form fails Django's check (`settings.CSRF_FAILURE_VIEW`). Django
would redirect to the sign-in page, or show its stock 403, and what was typed was lost.

Only the free-text fields are shown, to the browser that just sent them. They are never
stored, logged or put in the session.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme

# The names of the fields people write in, across Trellis's forms.
WORD_FIELDS = ("text", "note")


def words_in(request: HttpRequest) -> list[str]:
    """What the person wrote in the form they sent, without tokens, choices or ids."""
    try:
        posted = request.POST
    except Exception:  # an unreadable body has no words to keep
        return []
    return [
        value.strip()
        for name in WORD_FIELDS + tuple(k for k in posted if k.endswith(("_text", "_note")))
        for value in posted.getlist(name)
        if value.strip()
    ]


def page_sent_from(request: HttpRequest) -> str:
    """The path of the page the form was on (same site only), to return to after signing
    in; never the address the form posts to, which only takes forms."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, {request.get_host()}, request.is_secure()
    ):
        return urlsplit(referer).path or "/"
    return "/"


def words_kept_page(request: HttpRequest, *, signed_out: bool, status: int) -> HttpResponse:
    context = {
        "signed_out": signed_out,
        "words": words_in(request),
        "back_to": page_sent_from(request),
        "login_url": reverse("account_login"),
    }
    response = render(request, "words_kept.html", context, status=status)
    # The words are on this page: no browser or proxy may keep a copy.
    patch_cache_control(response, private=True, no_store=True)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """`settings.CSRF_FAILURE_VIEW`: a form from a page drawn before the person signed in
    or out elsewhere. Nothing was saved; say so plainly and give the words back."""
    return words_kept_page(request, signed_out=not request.user.is_authenticated, status=403)

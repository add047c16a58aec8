"""Downloads behind re-authentication that bring the person back where they were.

allauth's `reauthentication_required` sends the person, once they have typed their
password, on to the download itself. A browser does not leave a page for an attachment,
so they were left looking at a filled-in password form. Here, when the password is needed,
the way on after it is the page the download was asked from, with `?download=<view>`; that
page starts the download itself (`includes/start_download.html`: a meta refresh, no script)
and says so. Only the downloads named here may be started that way.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from allauth.account.decorators import reauthentication_required
from allauth.core.exceptions import ReauthenticationRequired
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

DOWNLOADS = frozenset({"accounts:export", "journal:export_markdown", "journal:export_json"})


def requested_download(request: HttpRequest) -> str | None:
    """The address of the download this page was asked to start, if it is one of ours."""
    name = request.GET.get("download", "")
    return reverse(name) if name in DOWNLOADS else None


def reauthenticate_then_return(back_to: str) -> Callable:
    """Like allauth's `reauthentication_required`, but after the password the person lands
    on `back_to` (a URL name), which starts the download."""

    def decorator(view):
        guarded = reauthentication_required(view)

        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            try:
                return guarded(request, *args, **kwargs)
            except ReauthenticationRequired:
                name = request.resolver_match.view_name
                methods = get_adapter().get_reauthentication_methods(request.user)
                if not methods:
                    raise PermissionDenied from None
                back = f"{reverse(back_to)}?{urlencode({'download': name})}"
                return HttpResponseRedirect(f"{methods[0]['url']}?{urlencode({'next': back})}")

        return wrapper

    return decorator

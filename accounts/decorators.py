"""Access decorators for views that scripts call as well as people."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse

SIGNED_OUT = "You have been signed out. Sign in again to save; your words are kept."


def wants_json(request: HttpRequest) -> bool:
    """The request prefers JSON to HTML: a script's fetch, not a browser's page load
    (which accepts */* too, but prefers text/html)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def login_required_or_401(view):
    """Django's `login_required`, except that a signed-out request asking for JSON gets
    401 JSON instead of a redirect to the sign-in page.

    A script cannot sign in, and `fetch` follows the redirect to the sign-in page, which
    answers 200: journal autosave once took that for a save and dropped the writer's
    words. A 401 cannot be mistaken for one. Pages still get Django's redirect."""
    redirecting = login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated and wants_json(request):
            return JsonResponse({"error": SIGNED_OUT, "signed_out": True}, status=401)
        return redirecting(request, *args, **kwargs)

    return wrapper

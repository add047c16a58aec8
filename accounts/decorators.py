"""Access decorators for views that scripts call as well as people."""

from functools import wraps

from django.contrib.auth.decorators import login_required as django_login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, JsonResponse

from accounts.kept_words import page_sent_from, words_in, words_kept_page

SIGNED_OUT = "You have been signed out. Sign in again to save; your words are kept."


def wants_json(request: HttpRequest) -> bool:
    """The request prefers JSON to HTML: a script's fetch, not a browser's page load
    (which accepts */* too, but prefers text/html)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def written_by_someone_else(request: HttpRequest) -> bool:
    """The page that sent this names another writer (`writer`, the pk it was drawn for):
    on a shared browser someone else has signed in since, and nothing the page sends may
    land in their account. A request without the field (no script) is not checked."""
    return request.POST.get("writer", str(request.user.pk)) != str(request.user.pk)


def login_required(view):
    """Django's `login_required`, except when the request could not follow a redirect
    to the sign-in page without losing something.

    - A signed-out request asking for JSON gets 401 JSON. A script cannot sign in, and
      `fetch` follows the redirect to the sign-in page, which answers 200: journal
      autosave once took that for a save and dropped the writer's words.
    - A signed-out form (POST) with words in it gets a page showing them (401), and a
      link to sign in that returns to the page the form was on: the redirect dropped
      the words. A form without words is sent to sign in, then back to its page: the
      redirect used to land on the address the form posts to, which answered 405.
    Pages (GET) still get Django's redirect."""
    redirecting = django_login_required(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            if wants_json(request):
                return JsonResponse({"error": SIGNED_OUT, "signed_out": True}, status=401)
            if request.method == "POST" and words_in(request):
                return words_kept_page(request, signed_out=True, status=401)
            if request.method == "POST":
                return redirect_to_login(page_sent_from(request))
        return redirecting(request, *args, **kwargs)

    return wrapper

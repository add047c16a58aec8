import time
import zoneinfo

from allauth.usersessions.models import UserSession
from django.utils import timezone
from django.utils.cache import patch_cache_control

# Refreshing the session's expiry and its "last seen" costs writes, so do it at most
# once a minute rather than on every request.
REFRESH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Sessions expire SESSION_COOKIE_AGE after the last request, not after sign-in.

    The cookie itself lasts only until the browser closes (a shared computer forgets).

    Each refresh moves the expiry on in the session store itself, so every worker
    sees an expired (or signed-out) session the same way: nothing is cached here.

    The same refresh records the session's last activity for "Where you are signed in"
    (allauth's usersessions). allauth's own middleware would write that row on every
    request, which on SQLite takes the write lock for every page a spouse reads; here
    it is written at most once a minute, so "last seen" is accurate to the minute.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("_seen", 0) >= REFRESH_EVERY_SECONDS:
                # Saving the session moves its expiry to now + SESSION_COOKIE_AGE.
                session["_seen"] = now
                if session.session_key:
                    UserSession.objects.create_from_request(request, user=user, session=session)
        return response


class PrivateNoStoreMiddleware:
    """Every response to a signed-in person is `Cache-Control: private, no-store`.

    One rule instead of a decorator on each view: almost every signed-in page shows
    something private (a partner's name, progress, questions waiting), allauth's pages
    included, and a view that forgot its decorator would leave a copy in the browser's
    cache or a proxy for the next person at a shared computer. The response that signs
    someone out is covered too: the user is read before the view runs as well as after.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        was_signed_in = _is_signed_in(request)
        response = self.get_response(request)
        if was_signed_in or _is_signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _is_signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class TimeZoneMiddleware:
    """Show times in the reader's own time zone (`User.time_zone`), not the server's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = getattr(getattr(request, "user", None), "time_zone", "")
        try:
            zone = zoneinfo.ZoneInfo(name) if name else None
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = None  # a zone this server does not know: the site's own
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

import time

# Refreshing the session's expiry costs a write, so do it at most once a minute.
REFRESH_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Sessions expire SESSION_COOKIE_AGE after the last request, not after sign-in.

    The cookie itself lasts only until the browser closes (a shared computer forgets).

    Each refresh moves the expiry on in the session store itself, so every worker
    sees an expired (or signed-out) session the same way: nothing is cached here.
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
        return response

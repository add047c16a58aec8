from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    return {"QUICK_EXIT_URL": settings.QUICK_EXIT_URL, "SAFETY_LESSON": settings.SAFETY_LESSON}

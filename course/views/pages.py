from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from course.models import Lesson


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    first = Lesson.objects.current().order_by("stage__order", "order").only("slug", "title").first()
    return render(request, "course/landing.html", {"first_lesson": first})


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the app is up and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")

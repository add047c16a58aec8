from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts.sharing import partner_of
from course.checkins import SUGGEST_AFTER_DAYS, days_since_last_checkin
from course.models import Answer, Completion, LastOpened, Prompt
from course.progress import journey_for


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    journey = journey_for(request.user)
    if not request.user.is_authenticated:
        return render(request, "course/landing.html", {"first_lesson": journey.first_lesson})
    last = LastOpened.objects.filter(user=request.user).values_list("lesson_id", flat=True).first()
    last_state = journey.state_of(last) if last else None
    unanswered = (
        Prompt.objects.current()
        .filter(lesson__completions__user=request.user, lesson__retired_at__isnull=True)
        .exclude(answers__in=Answer.objects.filter(author=request.user).exclude(text=""))
        .select_related("lesson")
        .order_by("lesson__stage__order", "lesson__order", "order")[:5]
    )
    partner = partner_of(request.user)
    context = {
        "partner": partner,
        "partner_done": (
            Completion.objects.filter(user=partner, lesson__retired_at__isnull=True).count()
            if partner
            else 0
        ),
        "journey": journey,
        "last_lesson": last_state.lesson if last_state and last_state.is_readable else None,
        "unanswered": list(unanswered),
        "checkin_days": days_since_last_checkin(request.user),
        "checkin_suggest_after": SUGGEST_AFTER_DAYS,
    }
    return render(request, "course/home.html", context)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the app is up and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")

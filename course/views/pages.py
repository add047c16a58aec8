from urllib.parse import urlencode

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from accounts import notices
from course.checkins import SUGGEST_AFTER_DAYS, days_since_last_checkin
from course.journey import DONE
from course.models import Answer, LastOpened
from course.progress import standing_of
from course.roles import prompts_for
from course.snapshot import current_course


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    course = current_course()
    standing = standing_of(request.user, course.stages)
    journey = standing.journey
    if not request.user.is_authenticated:
        return render(request, "course/landing.html", {"first_lesson": journey.first_lesson})
    last = LastOpened.objects.filter(user=request.user).values_list("lesson_id", flat=True).first()
    last_state = journey.state_of(last) if last else None
    finished = {s.lesson.pk for stage in journey.stages for s in stage.lessons if s.status == DONE}
    written = set(
        Answer.objects.filter(author=request.user)
        .exclude(text="")
        .values_list("prompt_id", flat=True)
    )
    unanswered = [
        prompt
        for prompt in prompts_for(request.user.role, course.prompts())
        if prompt.lesson.pk in finished and prompt.slug not in written
    ][:5]
    partner = standing.partner
    wait = standing.gate_wait(course.stages)
    notices.note_wait(
        request.user,
        couple_id=standing.link.couple_id if standing.link else None,
        about=wait.finished.slug if wait else None,
    )
    waiting = notices.waiting_for(request.user)
    for notice in waiting:
        if notice.kind == notices.Kind.WAITING:
            notice.wait = wait
    context = {
        "partner": partner,
        "notices": waiting,
        "journey": journey,
        "last_lesson": last_state.lesson if last_state and last_state.is_readable else None,
        "unanswered": unanswered,
        "checkin_days": days_since_last_checkin(request.user),
        "checkin_suggest_after": SUGGEST_AFTER_DAYS,
    }
    return render(request, "course/home.html", context)


@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Where a visitor lands when a lesson needs an account: what one gives, and costs."""
    if request.user.is_authenticated:
        return redirect("home")
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = ""
    query = f"?{urlencode({'next': target})}" if target else ""
    return render(request, "course/start.html", {"query": query})


@require_safe
def about(request: HttpRequest) -> HttpResponse:
    return render(request, "course/about.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "course/privacy.html")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: the app is up and its database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from course.models import Lesson, Prompt, Stage


def _outline() -> list[Stage]:
    """Current stages with their current lessons, in two queries whatever their number."""
    stages = list(Stage.objects.current())
    by_stage: dict[int, list[Lesson]] = {stage.pk: [] for stage in stages}
    for lesson in (
        Lesson.objects.current()
        .filter(stage__retired_at__isnull=True)
        .defer("body_html", "your_turn_intro", "source_path", "source_hash")
    ):
        by_stage[lesson.stage_id].append(lesson)
    for stage in stages:
        stage.current_lessons = by_stage[stage.pk]
    return [stage for stage in stages if stage.current_lessons]


def is_open_to_visitors(lesson: Lesson, stages: list[Stage]) -> bool:
    """A visitor may read the first lesson, and any lesson marked public, before signing up."""
    return lesson.public or (bool(stages) and stages[0].current_lessons[0].pk == lesson.pk)


@require_safe
def outline(request: HttpRequest) -> HttpResponse:
    stages = _outline()
    return render(request, "course/outline.html", {"stages": stages})


@require_safe
def lesson(request: HttpRequest, slug: str) -> HttpResponse:
    stages = _outline()
    sequence = [item for stage in stages for item in stage.current_lessons]
    index = next((i for i, item in enumerate(sequence) if item.slug == slug), None)
    if index is None:
        raise Http404("No such lesson.")
    if not request.user.is_authenticated and not is_open_to_visitors(sequence[index], stages):
        return redirect_to_login(request.get_full_path())
    current = Lesson.objects.select_related("stage").get(pk=sequence[index].pk)
    stage = next(stage for stage in stages if stage.pk == current.stage_id)
    context = {
        "lesson": current,
        "stage": stage,
        "position": stage.current_lessons.index(sequence[index]) + 1,
        "prompts": list(Prompt.objects.current().filter(lesson=current)),
        "previous": sequence[index - 1] if index > 0 else None,
        "next": sequence[index + 1] if index + 1 < len(sequence) else None,
    }
    return render(request, "course/lesson.html", context)

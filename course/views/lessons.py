from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import login_required
from accounts.services import notify_partner
from course.forms import AnswerForm
from course.journal import reach_for, settle_ended_shares
from course.journey import DONE, LOCKED
from course.models import Answer, Completion, LastOpened, Lesson
from course.progress import journey_for, standing_of
from course.roles import parts_for, prompts_for, question_label
from course.snapshot import current_course


def _is_open_to_visitors(journey, lesson) -> bool:
    """Visitors may read the very first lesson and any lesson marked public."""
    first = journey.first_lesson
    return lesson.public or (first is not None and first.pk == lesson.pk)


@require_safe
def outline(request: HttpRequest) -> HttpResponse:
    journey = journey_for(request.user)
    return render(request, "course/outline.html", {"journey": journey})


# Signed in, the page holds the reader's private answers in its forms.
@never_cache
@require_safe
def lesson(request: HttpRequest, slug: str) -> HttpResponse:
    course = current_course()
    standing = standing_of(request.user, course.stages)
    journey = standing.journey
    state = journey.state_of(slug)
    if state is None:
        raise Http404("No such lesson.")
    if not request.user.is_authenticated and not _is_open_to_visitors(journey, state.lesson):
        # A visitor first hears what an account gives and costs (nothing), then signs up.
        return redirect_to_login(request.get_full_path(), login_url="start")

    sequence = [s.lesson for stage in journey.stages for s in stage.lessons]
    index = sequence.index(state.lesson)
    stage_state = next(s for s in journey.stages if state in s.lessons)
    context = {
        "journey": journey,
        "state": state,
        "stage": stage_state.stage,
        "stage_state": stage_state,
        "position": stage_state.lessons.index(state) + 1,
        "previous": sequence[index - 1] if index > 0 else None,
        "next": sequence[index + 1] if index + 1 < len(sequence) else None,
    }
    if not state.is_readable:
        return render(request, "course/locked.html", context)

    lesson, prompts = course.lesson_page(state.lesson.pk)
    # A visitor reads as someone who has not said where they stand: every part, labelled.
    role = request.user.role if request.user.is_authenticated else None
    prompts = prompts_for(role, prompts)
    context["lesson"] = lesson
    context["parts"] = parts_for(role, lesson.parts)
    labels = [question_label(role, prompt) for prompt in prompts]
    context["questions"] = list(zip(prompts, labels, strict=True))
    if request.user.is_authenticated:
        mine = Answer.objects.of(request.user).filter(prompt__in=[p.slug for p in prompts])
        answers = {answer.prompt_id: answer for answer in mine}
        settle_ended_shares(answers.values())
        reach = reach_for(request.user, [p.slug for p in prompts], partner=standing.partner)
        forms = [
            AnswerForm(prompt=prompt, answer=answers.get(prompt.slug), reach=reach)
            for prompt in prompts
        ]
        context["questions"] = list(zip(forms, labels, strict=True))
        if request.session.get("last_lesson") != slug:
            # The session remembers what we last stored, so re-reading costs no write.
            LastOpened.remember(request.user, state.lesson)
            request.session["last_lesson"] = slug
    return render(request, "course/lesson.html", context)


def _finished_as_shown(journey, stage_pk: int) -> bool:
    """Every lesson of the stage but the private ones is finished."""
    stage = next(s for s in journey.stages if s.stage.pk == stage_pk)
    shown = [state for state in stage.lessons if not state.lesson.private]
    return bool(shown) and all(state.status == DONE for state in shown)


@login_required
@require_POST
def complete(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.current(), slug=slug)
    journey = journey_for(request.user)
    state = journey.state_of(slug)
    if state is None or state.status == LOCKED:
        messages.warning(request, "That lesson opens once you have finished the stage before it.")
        target = journey.next_lesson
        return redirect(target.get_absolute_url() if target else "course:outline")
    Completion.objects.get_or_create(user=request.user, lesson=lesson)
    after = journey_for(request.user)
    # The partner hears of a finished stage as they see it: without its private lessons,
    # so whether one was read never shows, not even in when the email comes.
    if (
        not _finished_as_shown(journey, lesson.stage_id)
        and _finished_as_shown(after, lesson.stage_id)
        and request.user.progress_shown != request.user.ProgressShown.NOTHING
    ):
        notify_partner(request.user, "stage")
    if after.is_finished:
        messages.success(request, "You have finished every lesson. Well done, truly.")
        return redirect("course:outline")
    if after.next_lesson is None:
        # Walking together: the next stage waits for the partner. Say so, plainly.
        messages.success(
            request,
            f"“{lesson.title}” is marked as finished. The next stage opens when you have "
            "both finished this one.",
        )
        return redirect("us:index")
    messages.success(request, f"“{lesson.title}” is marked as finished.")
    return redirect(after.next_lesson.get_absolute_url())


@login_required
@require_POST
def undo_complete(request: HttpRequest, slug: str) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.current(), slug=slug)
    deleted, _ = Completion.objects.filter(user=request.user, lesson=lesson).delete()
    if deleted:
        messages.info(request, f"“{lesson.title}” is marked as not finished.")
    return redirect(lesson.get_absolute_url())

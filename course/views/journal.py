"""The private journal: answering, autosave, conflicts, history, search and export.

Every page here is the author's own: it filters by `author=request.user` and sends
Cache-Control: no-store so no browser or proxy keeps a copy.
"""

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.formats import time_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.decorators import login_required, wants_json, written_by_someone_else
from accounts.downloads import reauthenticate_then_return, requested_download
from course.forms import AnswerForm, SearchForm
from course.journal import (
    VERSION_WINDOW,
    AnswerTooLong,
    answer_converter,
    change_sharing,
    clean_text,
    first_lines,
    journal_rows,
    lesson_pages,
    may_open,
    reach_for,
    read_texts,
    record_sharing,
    render_answer,
    restore_version,
    save_answer,
    settle_ended_shares,
    sharing_labels,
    stage_tabs,
    stage_to_show,
)
from course.models import Answer, AnswerVersion, Prompt, Sharing
from course.progress import journey_for, standing_of
from course.roles import journal_for
from course.snapshot import in_course_order

MONTHS = [str(MONTHS_3[number]).title() for number in range(1, 13)]


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _prompt_for(request: HttpRequest, slug: str) -> tuple[Prompt, Answer | None]:
    """The prompt, if this spouse may answer it: its lesson is open to them, or they
    answered it before (answers to retired or relocked prompts stay theirs)."""
    prompt = get_object_or_404(Prompt.objects.select_related("lesson"), slug=slug)
    answer = Answer.objects.filter(author=request.user, prompt=prompt).first()
    if not may_open(prompt, answer, journey_for(request.user)):
        raise Http404("No such question.")
    return prompt, answer


def _answer_page(request, prompt, answer, form, lesson_url, status=200) -> HttpResponse:
    context = {"prompt": prompt, "answer": answer, "form": form, "next": lesson_url}
    return render(request, "course/answer.html", context, status=status)


def _conflict_page(
    request, prompt, answer, mine: str, lesson_url: str, same_words: bool
) -> HttpResponse:
    reach = reach_for(request.user, [prompt.slug])
    stored = answer.current_sharing if answer else Sharing.PRIVATE
    context = {
        "prompt": prompt,
        "answer": answer,
        "mine": mine,
        # The stale tab changed only who can read the answer: there is one wording, so
        # the page says the choice was not saved rather than offer two equal versions.
        "same_words": same_words,
        "who_can_read": reach.who_can_read(prompt, stored),
        "next": _safe_next(request, lesson_url),
    }
    return render(request, "course/conflict.html", context, status=409)


def _reach_json(prompt, sharing: str, reach) -> dict:
    """For the script, what the form shows of the stored choice: the choice, who can
    read the answer, and the note on the partner's answer (empty when there is none)."""
    return {
        "sharing": sharing,
        "who_can_read": reach.who_can_read(prompt, sharing),
        "partner_note": reach.partner_note(prompt, sharing),
    }


def _day_label(moment) -> str:
    """As the template's |date:"j M Y" would show it, in the site's time zone."""
    day = timezone.localtime(moment)
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _saved_label(answer: Answer) -> str:
    return time_format(timezone.localtime(answer.updated_at), "H:i")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("text")
def answer(request: HttpRequest, slug: str) -> HttpResponse:
    prompt, existing = _prompt_for(request, slug)
    lesson_url = prompt.lesson.get_absolute_url() + f"#prompt-{prompt.slug}"
    if request.method == "GET":
        settle_ended_shares([existing])
        form = AnswerForm(prompt=prompt, answer=existing, reach=reach_for(request.user, [slug]))
        return _answer_page(request, prompt, existing, form, lesson_url)

    if written_by_someone_else(request):
        # A page left open by someone who has since been signed out, on a browser where
        # another person signed in: nothing of it may land in this person's journal.
        return JsonResponse({"other_writer": True}, status=403)
    form = AnswerForm(
        request.POST, prompt=prompt, answer=existing, reach=reach_for(request.user, [slug])
    )
    if not form.is_valid():
        if wants_json(request):
            return JsonResponse(
                {"error": "The answer could not be read. Your text is still here: try again."},
                status=400,
            )
        return _answer_page(request, prompt, existing, form, lesson_url, status=400)
    try:
        result = save_answer(
            author=request.user,
            prompt=prompt,
            text=form.cleaned_data["text"],
            base_version=form.cleaned_data["base_version"],
            sharing=form.cleaned_data.get("sharing") or None,
            # From the conflict page: the other wording stays in the history, whole.
            new_version=bool(request.POST.get("keep_both")),
        )
    except AnswerTooLong as too_long:
        if wants_json(request):
            return JsonResponse({"error": str(too_long)}, status=413)
        form.add_error("text", str(too_long))
        return _answer_page(request, prompt, existing, form, lesson_url, status=413)
    record_sharing(request.user, result)

    stored = result.answer
    if result.conflict:
        # The words are the saved words: a stale tab changed only who can read the answer.
        same_words = stored is not None and stored.text == clean_text(form.cleaned_data["text"])
        if same_words and wants_json(request):
            # The script says whether its choice is the one in force (a narrowing always
            # is) and shows that one; it never sends a refused choice again. The tab keeps
            # its old version: it was drawn for what was stored then.
            sharing = stored.current_sharing
            reach = reach_for(request.user, [prompt.slug])
            return JsonResponse(
                {"conflict": True, **_reach_json(prompt, sharing, reach)}, status=409
            )
        chosen = form.cleaned_data.get("sharing") or None
        if not same_words or chosen not in (None, stored.current_sharing):
            if wants_json(request):
                # The script then posts the form normally to show the conflict page below.
                return JsonResponse({"conflict": True}, status=409)
            return _conflict_page(
                request, prompt, stored, form.cleaned_data["text"], lesson_url, same_words
            )

    # Saved, or the stale tab's words and choice are what is stored (a narrowing is
    # always applied): nothing waits on a conflict page.
    saved = stored
    sharing = saved.current_sharing if saved else Sharing.PRIVATE
    if wants_json(request):
        # The script counts only this answer as a save, and shows what is stored.
        reach = reach_for(request.user, [prompt.slug])
        return JsonResponse(
            {
                "version": saved.version if saved else 0,
                "saved_at": _saved_label(saved) if saved else "",
                **_reach_json(prompt, sharing, reach),
            }
        )
    if saved is None:
        messages.info(request, "Nothing to save yet: the answer is empty.")
    else:
        reach = reach_for(request.user, [prompt.slug])
        messages.success(request, f"Your answer is saved. {reach.who_can_read(prompt, sharing)}")
    return redirect(_safe_next(request, lesson_url))


@never_cache
@login_required
@require_POST
def share(request: HttpRequest, slug: str) -> HttpResponse:
    """Share or withdraw from a page that shows the answer. Withdrawing always works;
    sharing must name the version the page showed (`base_version`)."""
    answer = get_object_or_404(
        Answer.objects.select_related("prompt__lesson"), author=request.user, prompt_id=slug
    )
    choice = request.POST.get("sharing", "")
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        base_version = None
    if choice not in Sharing.values:
        messages.error(request, "Please choose who can see this answer.")
    else:
        result = change_sharing(
            author=request.user, answer=answer, sharing=choice, base_version=base_version
        )
        record_sharing(request.user, result)
        if result.conflict:
            messages.error(
                request,
                "This answer changed in another tab or device since this page was opened, "
                "so nothing was shared. Look at it again, then choose.",
            )
        else:
            saved = result.answer
            reach = reach_for(request.user, [slug])
            messages.success(request, reach.who_can_read(saved.prompt, saved.current_sharing))
    return redirect(_safe_next(request, answer.prompt.lesson.get_absolute_url()))


@never_cache
@login_required
@require_safe
def history(request: HttpRequest, slug: str) -> HttpResponse:
    answer = get_object_or_404(
        Answer.objects.select_related("prompt__lesson"), author=request.user, prompt_id=slug
    )
    versions = list(answer.versions.all())
    converter = answer_converter()
    for version in versions:
        version.html = render_answer(version.text, converter)
    context = {
        "answer": answer,
        "versions": versions,
        "window_minutes": int(VERSION_WINDOW.total_seconds() // 60),
    }
    return render(request, "course/history.html", context)


@never_cache
@login_required
@require_POST
def restore(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    old = get_object_or_404(
        AnswerVersion.objects.select_related("answer__prompt__lesson"),
        answer__author=request.user,
        answer__prompt_id=slug,
        version=version,
    )
    restore_version(author=request.user, version=old)
    messages.success(request, f"Version {version} is back as your current answer.")
    return redirect("journal:history", slug=slug)


@never_cache
@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """One stage at a time (?stage=), the others a link away with their counts; a search
    lists the matches from every stage. Per-row work is done only for the rows shown:
    drawing all 200 rows of a full journal was most of its time (bench/profile_page.py)."""
    search = SearchForm(request.GET or None)
    stages, rows = journal_rows(request.user, texts=False)
    stages = journal_for(request.user.role, stages)
    results, lessons, pages = None, [], []
    if search.is_valid() and search.cleaned_data["q"].strip():
        # Answers are encrypted at rest, so search reads this spouse's own answers in Python.
        read_texts(request.user, rows)
        needle = search.cleaned_data["q"].strip().casefold()
        results = [row for row in rows if row.answer and needle in row.answer.text.casefold()]
        shown = results
        chosen = None
    else:
        chosen = stage_to_show(stages, rows, request.GET.get("stage", ""))
        # Asked for a stage, its first page; else where the writer left off.
        asked = request.GET.get("page", "1" if "stage" in request.GET else None)
        lessons, pages = lesson_pages(chosen, stages.get(chosen, {}), asked)
        shown = [row for _, lesson_rows in lessons for row in lesson_rows]
        read_texts(request.user, shown, only_these=True)
    standing = standing_of(request.user)
    journey, labels = standing.journey, sharing_labels(standing.partner)
    # Worked out here once per row rather than by filters in the template.
    for row in shown:
        row.can_open = may_open(row.prompt, row.answer, journey)
        if row.answer:
            row.preview = first_lines(row.answer.text)
            row.saved_on = _day_label(row.answer.updated_at)
            row.sharing_label = labels.get(row.answer.current_sharing, "")
    tabs = stage_tabs(stages, chosen)
    return render(
        request,
        "course/journal.html",
        {
            "tabs": tabs,
            "stage": chosen,
            "lessons": lessons,
            "lesson_pages": pages,
            "answered": sum(tab.answered for tab in tabs),
            "search": search,
            "results": results,
            "download_url": requested_download(request),
        },
    )


def _export_rows(user) -> list[dict]:
    answers = Answer.objects.of(user).select_related("prompt__lesson__stage")
    return [
        {
            "stage": a.prompt.lesson.stage.title,
            "lesson": a.prompt.lesson.title,
            "lesson_id": a.prompt.lesson.slug,
            "prompt_id": a.prompt.slug,
            "question": a.prompt.text,
            "answer": a.text,
            "sharing": a.current_sharing,
            "version": a.version,
            "created_at": a.created_at.isoformat(),
            "updated_at": a.updated_at.isoformat(),
            "retired": a.prompt.retired_at is not None,
        }
        for a in sorted(answers, key=lambda a: in_course_order(a.prompt))
    ]


def _download(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@never_cache
@login_required
@reauthenticate_then_return(back_to="journal:index")
@require_safe
def export_json(request: HttpRequest) -> HttpResponse:
    data = {
        "format": "trellis-journal-1",
        "exported_at": timezone.now().isoformat(),
        "author": request.user.display_name,
        "answers": _export_rows(request.user),
    }
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _download(body, "application/json; charset=utf-8", "trellis-journal.json")


@never_cache
@login_required
@reauthenticate_then_return(back_to="journal:index")
@require_safe
def export_markdown(request: HttpRequest) -> HttpResponse:
    lines = [f"# Trellis journal of {request.user.display_name}", ""]
    lesson = None
    for row in _export_rows(request.user):
        if row["lesson"] != lesson:
            lesson = row["lesson"]
            lines += [f"## {row['stage']}: {lesson}", ""]
        retired = " (no longer in the course)" if row["retired"] else ""
        lines += [f"### {row['question']}{retired}", "", row["answer"] or "_(empty)_", ""]
    return _download("\n".join(lines), "text/markdown; charset=utf-8", "trellis-journal.md")


@never_cache
@login_required
@require_safe
def workbook(request: HttpRequest) -> HttpResponse:
    stages, rows = journal_rows(request.user)
    stages = journal_for(request.user.role, stages)
    converter = answer_converter()
    for row in rows:
        if row.answer:
            row.answer_html = render_answer(row.answer.text, converter)
    return render(request, "course/workbook.html", {"stages": stages})

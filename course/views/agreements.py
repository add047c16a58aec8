"""/agreements/: the agreements and plans couple exercises produce (course.agreements).

Each page holds what a spouse wrote, so none is cached. Who may see an agreement is
`Agreement.objects.visible_to`; anything else answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.links import partner_of
from course import agreements as kept
from course.checkin_forms import AgreementForm
from course.models import AGREEMENT_TITLES, Agreement, Lesson


def _exercise_lessons() -> dict[str, Lesson]:
    """The lesson whose exercise produces each kind (the content check allows one)."""
    found = {}
    for lesson in Lesson.objects.current().only("slug", "title", "parts"):
        for part in lesson.parts:
            if part.get("agreement"):
                found[part["agreement"]] = lesson
    return found


def _visible(request: HttpRequest, pk: int) -> Agreement:
    return get_object_or_404(
        Agreement.objects.visible_to(request.user).select_related("author"), pk=pk
    )


def _context(request: HttpRequest, agreement: Agreement, **more) -> dict:
    return {
        "page": kept.on_page(request.user, agreement),
        "partner": partner_of(request.user),
        "lesson": _exercise_lessons().get(agreement.kind),
        "longest_days": kept.longest_until_review(agreement.kind).days,
        **more,
    }


@never_cache
@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    visible = Agreement.objects.visible_to(request.user).select_related("author")
    mine = {a.kind: a for a in visible if a.author_id == request.user.pk}
    lessons = _exercise_lessons()
    kinds = [
        {"kind": kind, "title": title, "mine": mine.get(kind), "lesson": lessons.get(kind)}
        for kind, title in AGREEMENT_TITLES.items()
    ]
    context = {
        "kinds": kinds,
        "offered_to_me": [a for a in visible if a.author_id != request.user.pk],
        "partner": partner_of(request.user),
    }
    return render(request, "course/agreements/index.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("text")
def start(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in kept.KINDS:
        raise Http404("No such agreement.")
    existing = Agreement.objects.filter(author=request.user, kind=kind).first()
    if existing is not None and request.method == "GET":
        return redirect(existing)
    # A POST from a second tab goes on to be refused with its words kept on the page.
    form = AgreementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = kept.start_agreement(
                    author=request.user, kind=kind, text=data["text"], review_on=data["review_on"]
                )
            except kept.AgreementRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "Saved. Only you can see it until you offer it.")
                return redirect(agreement)
    context = {
        "form": form,
        "title": AGREEMENT_TITLES[kind],
        "kind": kind,
        "lesson": _exercise_lessons().get(kind),
        "longest_days": kept.longest_until_review(kind).days,
    }
    return render(request, "course/agreements/start.html", context, status=status)


@never_cache
@login_required
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    return render(request, "course/agreements/detail.html", _context(request, agreement))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("text")
def change(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = _visible(request, pk)
    page = kept.on_page(request.user, agreement)
    initial = {}
    if page.current is not None:
        initial = {
            "text": page.current.text,
            "review_on": page.current.review_on,
            "base": page.current.number,
        }
    form = AgreementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                kept.revise(
                    writer=request.user,
                    agreement=agreement,
                    text=data["text"],
                    review_on=data["review_on"],
                    base=data["base"] or 0,
                )
            except kept.AgreementRefused as refused:
                form.add_error(None, str(refused))
                status = 409 if isinstance(refused, kept.NewWordingArrived) else 400
            else:
                if page.offered:
                    messages.success(request, "Saved. The new wording waits for your spouse.")
                else:
                    messages.success(request, "Saved. Only you can see it.")
                return redirect(agreement)
    context = _context(request, agreement, form=form)
    return render(request, "course/agreements/change.html", context, status=status)


def _act(request: HttpRequest, pk: int, action, done: str, **kwargs) -> HttpResponse:
    agreement = _visible(request, pk)
    try:
        action(agreement=agreement, **kwargs)
    except kept.AgreementRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    if not Agreement.objects.visible_to(request.user).filter(pk=pk).exists():
        return redirect("agreements:index")
    return redirect(agreement)


@never_cache
@login_required
@require_POST
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    done = "Offered. Your spouse can read it now, and agree or suggest a change."
    return _act(request, pk, kept.offer, done, author=request.user)


@never_cache
@login_required
@require_POST
def take_back(request: HttpRequest, pk: int) -> HttpResponse:
    done = "Taken back. Only you can see it now."
    return _act(request, pk, kept.take_back, done, author=request.user)


@never_cache
@login_required
@require_POST
def agree(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        number = int(request.POST.get("number", ""))
    except ValueError:
        number = 0
    done = "You have agreed to it. Look at it again together on the review date."
    return _act(request, pk, kept.agree, done, viewer=request.user, number=number)


@never_cache
@login_required
@require_POST
def step_back(request: HttpRequest, pk: int) -> HttpResponse:
    done = "You have stepped back from it. It is no longer agreed, and that is allowed."
    return _act(request, pk, kept.step_back, done, viewer=request.user)

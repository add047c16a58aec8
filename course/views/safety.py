"""/safety-check/: a short, private check offered before linking and at each stage.

Its answers are read once, to choose what the reply page says, and are then forgotten:
nothing is written to the database, the session, the cache or a log, and nobody is
told. They travel only in a POST body (never in a URL), the reply is
`Cache-Control: no-store`, and Django's error reports leave the POST out
(`sensitive_post_parameters`). Whatever the answers, the page always offers the way
on: it advises, it never blocks.

It is open to visitors too, so someone deciding whether to use Trellis can take it.
"""

from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.links import partner_of

# Where "go on" may lead, by URL name, and what the button says. Only these: `next`
# comes from the request, so it never points outside Trellis or anywhere unexpected.
GO_ON = {
    "us:index": "Go on to linking your accounts",
    "us:join": "Go back to the invitation",
    "us:code": "Go back to the invitation code",
    "course:lesson": "Go on to the lesson",
    "course:outline": "Go on to the course",
    "home": "Go back to Trellis",
}
DEFAULT_GO_ON = "course:outline"


class SafetyCheckForm(forms.Form):
    """Every box is optional: an empty form is a fine answer."""

    afraid = forms.BooleanField(
        required=False, label="I am sometimes afraid of my spouse, or of what they might do."
    )
    threatened = forms.BooleanField(
        required=False,
        label="My spouse has threatened to hurt me, our children, a pet, or themselves.",
    )
    pressured_sex = forms.BooleanField(
        required=False, label="My spouse has forced or pressured me into sex."
    )
    controlled = forms.BooleanField(
        required=False,
        label="My spouse controls my money, checks my phone, or keeps track of where I go "
        "and who I see.",
    )
    self_harm = forms.BooleanField(
        required=False, label="I have had thoughts of hurting myself or ending my life."
    )
    recent_discovery = forms.BooleanField(
        required=False, label="I found out about an affair in the last three months or so."
    )
    ongoing_affair = forms.BooleanField(
        required=False, label="An affair, by either of us, is still going on, or might be."
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    SAFETY = ("afraid", "threatened", "pressured_sex", "controlled", "self_harm")
    AFFAIR = ("recent_discovery", "ongoing_affair")

    def safety_fields(self):
        return [self[name] for name in self.SAFETY]

    def affair_fields(self):
        return [self[name] for name in self.AFFAIR]


@dataclass(frozen=True)
class Outcome:
    """What the answers call for; computed, shown once, never kept."""

    worrying: bool
    self_harm: bool
    recent_discovery: bool
    ongoing_affair: bool

    @classmethod
    def of(cls, ticked: dict) -> "Outcome":
        return cls(
            worrying=any(ticked.get(name) for name in SafetyCheckForm.SAFETY),
            self_harm=bool(ticked.get("self_harm")),
            recent_discovery=bool(ticked.get("recent_discovery")),
            ongoing_affair=bool(ticked.get("ongoing_affair")),
        )

    @property
    def help_first(self) -> bool:
        """Too raw, or too dangerous, for a course alone: see a professional first."""
        return self.self_harm or self.recent_discovery or self.ongoing_affair


def go_on(request: HttpRequest, candidate: str) -> tuple[str, str]:
    """(url, label) of the page the person came from, if it is one we offer the check
    on; otherwise the course outline."""
    if (
        candidate.startswith("/")
        and len(candidate) <= 500
        and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()})
    ):
        try:
            match = resolve(candidate.split("?", 1)[0])
        except Resolver404:
            match = None
        if match is not None and match.view_name in GO_ON:
            return candidate, GO_ON[match.view_name]
    return reverse(DEFAULT_GO_ON), GO_ON[DEFAULT_GO_ON]


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def safety_check(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = SafetyCheckForm(request.POST)
        # Only checkboxes and a hidden path: any value is some answer, so this is valid
        # for every input, and nothing typed is ever lost or refused.
        ticked = form.cleaned_data if form.is_valid() else {}
        url, label = go_on(request, request.POST.get("next", ""))
        context = {
            "outcome": Outcome.of(ticked),
            "go_on_url": url,
            "go_on_label": label,
            "linked": partner_of(request.user) is not None,
        }
        return render(request, "course/safety_check_result.html", context)
    url, label = go_on(request, request.GET.get("next", ""))
    form = SafetyCheckForm(initial={"next": url})
    context = {"form": form, "go_on_url": url, "go_on_label": label}
    return render(request, "course/safety_check.html", context)

"""/account/: name and email updates, where you stand, activity, your data, deleting
the account."""

import functools
import zoneinfo

from allauth.account.decorators import reauthentication_required
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import notices, services
from accounts.decorators import login_required
from accounts.downloads import requested_download
from accounts.forms import JINJA2_RENDERER, SignupDetailsForm
from accounts.models import AuditEvent, Role, User

DELETE_PHRASE = "delete my account"


@functools.cache
def time_zone_choices() -> list[tuple[str, str]]:
    """Every time zone this machine knows, read once a process: listing them opens each
    of the ~600 zone files on disk (15 ms a call). A new tz database takes a restart to
    be used anyway, as `zoneinfo` keeps the zones it has loaded."""
    zones = sorted(zoneinfo.available_timezones() - {"localtime"})
    return [("", f"The site's time zone ({settings.TIME_ZONE})"), *zip(zones, zones, strict=True)]


class TimeZoneSelect(forms.Select):
    """Django's select, with each option written out in the one template. Through
    Django's own select template (an include per option) the settings page took 24 ms
    of CPU, written out 11.5 (`bench/profile_page.py /account/ --time-only`)."""

    template_name = "accounts/time_zone_select.html"


class ProfileForm(forms.Form):
    default_renderer = JINJA2_RENDERER

    display_name = SignupDetailsForm.base_fields["display_name"]
    clean_display_name = SignupDetailsForm.clean_display_name
    notify_by_email = forms.BooleanField(
        label="Email me when my spouse shares an answer or finishes a stage",
        required=False,
        help_text="Off by default. The emails are neutral and never contain journal text.",
    )
    progress_shown = forms.ChoiceField(
        label=User._meta.get_field("progress_shown").verbose_name.capitalize(),
        choices=User.ProgressShown.choices,
        widget=forms.RadioSelect,
        help_text=User._meta.get_field("progress_shown").help_text,
        # A form from before this choice existed keeps what is stored.
        required=False,
    )
    quick_exit_stays_signed_in = forms.BooleanField(
        label=User._meta.get_field("quick_exit_stays_signed_in").verbose_name,
        required=False,
        help_text=User._meta.get_field("quick_exit_stays_signed_in").help_text,
    )
    discreet_tab = forms.BooleanField(
        label=User._meta.get_field("discreet_tab").verbose_name,
        required=False,
        help_text=User._meta.get_field("discreet_tab").help_text,
    )
    time_zone = forms.ChoiceField(
        label="Your time zone",
        required=False,
        error_messages={
            "invalid_choice": (
                "We do not know the time zone “%(value)s”, so yours stays as it was. "
                "Choose one from the list."
            )
        },
        widget=TimeZoneSelect,
        help_text="Times in Trellis, such as “Saved at 21:40”, are shown in it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Where you stand",
        choices=[*Role.choices, ("", "I would rather not say")],
        required=False,
        widget=forms.RadioSelect,
    )


class DeleteForm(forms.Form):
    confirm = forms.CharField(
        label=f"Type “{DELETE_PHRASE}” to confirm",
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean_confirm(self) -> str:
        typed = " ".join(self.cleaned_data["confirm"].lower().split())
        if typed != DELETE_PHRASE:
            raise forms.ValidationError(f"Please type “{DELETE_PHRASE}” exactly.")
        return typed


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "display_name": user.display_name,
        "notify_by_email": user.notify_by_email,
        "progress_shown": user.progress_shown,
        "time_zone": user.time_zone,
        "quick_exit_stays_signed_in": user.quick_exit_stays_signed_in,
        "discreet_tab": user.discreet_tab,
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user.display_name = form.cleaned_data["display_name"]
        user.notify_by_email = form.cleaned_data["notify_by_email"]
        user.progress_shown = form.cleaned_data["progress_shown"] or user.progress_shown
        user.time_zone = form.cleaned_data["time_zone"]
        user.quick_exit_stays_signed_in = form.cleaned_data["quick_exit_stays_signed_in"]
        user.discreet_tab = form.cleaned_data["discreet_tab"]
        user.save(
            update_fields=[
                "display_name",
                "notify_by_email",
                "progress_shown",
                "time_zone",
                "quick_exit_stays_signed_in",
                "discreet_tab",
            ]
        )
        messages.success(request, "Your settings are saved.")
        return redirect("accounts:account")
    if "time_zone" in form.errors:
        # Drawn again on the zone that is stored: a select with none of its options
        # chosen falls back to the first (the site's zone), which a second Save would
        # store without a word.
        form.data = form.data.copy()
        form.data["time_zone"] = user.time_zone
    context = {"form": form, "download_url": requested_download(request)}
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def dismiss_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    notices.dismiss(request.user, notice_id)
    return redirect("home")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def role(request: HttpRequest) -> HttpResponse:
    """Where this spouse stands: asked once (on the home page), changed here at any time.

    Only its owner ever sees it; it chooses which lesson parts open first for them."""
    user = request.user
    # Nothing is ticked until they have answered once: no answer is suggested to them.
    initial = {"role": user.role} if user.role_asked_at else {}
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "skip" in request.POST:
            user.role, note = (
                "",
                (
                    "That is fine. Every lesson shows you every part; "
                    "you can choose later from your account."
                ),
            )
        elif form.is_valid():
            user.role = form.cleaned_data["role"]
            note = "Saved. Only you can see this."
        else:
            return render(request, "accounts/role.html", {"form": form}, status=400)
        user.role_asked_at = timezone.now()
        user.save(update_fields=["role", "role_asked_at"])
        messages.success(request, note)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
            target = "accounts:account"
        return redirect(target)
    return render(request, "accounts/role.html", {"form": form})


@never_cache
@login_required
@require_safe
def activity(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(user=request.user)[:100]
    return render(request, "accounts/activity.html", {"events": events})


@login_required
@require_POST
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    services.sign_out_everywhere(user=request.user)
    logout(request)
    messages.info(request, "You are signed out on every device, including this one.")
    return redirect("home")


@never_cache
@login_required
@reauthentication_required(allow_get=True)
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.delete_account(user=request.user)
        logout(request)
        messages.info(request, "Your account and everything you wrote have been deleted.")
        return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)

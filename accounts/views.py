"""/account/: name and email updates, activity, your data, deleting the account."""

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import services
from accounts.downloads import requested_download
from accounts.forms import SignupDetailsForm
from accounts.models import AuditEvent, User

DELETE_PHRASE = "delete my account"


class ProfileForm(forms.Form):
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
    }
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user.display_name = form.cleaned_data["display_name"]
        user.notify_by_email = form.cleaned_data["notify_by_email"]
        user.progress_shown = form.cleaned_data["progress_shown"] or user.progress_shown
        user.save(update_fields=["display_name", "notify_by_email", "progress_shown"])
        messages.success(request, "Your settings are saved.")
        return redirect("accounts:account")
    context = {"form": form, "download_url": requested_download(request)}
    return render(request, "accounts/account.html", context)


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

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.forms import SignupDetailsForm


class DisplayNameForm(forms.Form):
    display_name = SignupDetailsForm.base_fields["display_name"]
    clean_display_name = SignupDetailsForm.clean_display_name


@login_required
def account(request: HttpRequest) -> HttpResponse:
    initial = {"display_name": request.user.display_name}
    form = DisplayNameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        request.user.display_name = form.cleaned_data["display_name"]
        request.user.save(update_fields=["display_name"])
        messages.success(request, "Your name is saved.")
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"form": form})

"""/account/reminders/: a spouse chooses whether, when and on which days Trellis
reminds them by email."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import reminders
from accounts.decorators import login_required
from accounts.models import Reminder


class ReminderForm(forms.ModelForm):
    enabled = forms.BooleanField(label="Send me a reminder by email", required=False)
    time_of_day = forms.TimeField(
        label="At what time",
        widget=forms.TimeInput(
            attrs={"type": "time", "aria-describedby": "id_time_of_day_helptext"}, format="%H:%M"
        ),
        error_messages={
            "required": "Please choose a time, such as 19:30.",
            "invalid": "Please enter a time such as 19:30.",
        },
    )
    days = forms.TypedMultipleChoiceField(
        label="On which days",
        choices=Reminder.Day.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Please choose days from the list."},
    )

    class Meta:
        model = Reminder
        fields = ["enabled", "time_of_day", "days"]

    def __init__(self, *args, instance: Reminder, **kwargs):
        super().__init__(*args, instance=instance, **kwargs)
        self.initial["days"] = sorted(instance.weekdays)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("enabled") and not cleaned.get("days"):
            self.add_error("days", "Choose at least one day, or leave the reminder off.")
        return cleaned

    def clean_days(self) -> str:
        return "".join(str(day) for day in sorted(set(self.cleaned_data["days"])))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    reminder = Reminder.objects.filter(user=request.user).first() or Reminder(user=request.user)
    form = ReminderForm(request.POST or None, instance=reminder)
    context = {"form": form, "zone_name": reminder.zone().key}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/reminders.html", context, status=400)
        reminders.save_settings(reminder=form.instance, now=timezone.now())
        if form.instance.enabled:
            messages.success(request, "Saved. Your reminder will come on the days you chose.")
        else:
            messages.success(request, "Saved. No reminders will be sent.")
        return redirect("accounts:reminders")
    return render(request, "accounts/reminders.html", context)

from django import forms
from django.forms.renderers import Jinja2

# Django's Jinja2 form renderer (its own Jinja2 widget templates, and any app's jinja2/
# folder), for the forms whose widgets are many: the same markup as through the Django
# template language at under half the CPU: a lesson page's four answer forms took 9 ms
# that way and take about 4 (course.forms.AnswerForm), the settings page's time zone
# select of about 600 options took 47 ms and takes under 10 (accounts.views.ProfileForm;
# `bench/profile_page.py /account/ --time-only`, 2026-12-07). One instance for the
# process, as Django's own default renderer is: a renderer per form would compile every
# template per form. Not the project's FORM_RENDERER: the admin's widget templates exist
# only for Django's template language.
JINJA2_RENDERER = Jinja2()


class SignupDetailsForm(forms.Form):
    """The one thing Trellis asks at sign-up beyond email and password."""

    display_name = forms.CharField(
        label="Your name",
        max_length=60,
        help_text="A first name is enough. Your partner sees it if you link your accounts.",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )

    field_order = ["display_name"]

    def clean_display_name(self) -> str:
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Please tell us what to call you.")
        if any(ord(char) < 32 for char in name):
            raise forms.ValidationError("Please use letters, numbers and spaces.")
        return name

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])

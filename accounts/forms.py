from django import forms


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

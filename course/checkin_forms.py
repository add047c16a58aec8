"""Forms for trust check-ins and commitments. They validate; the writes are in
`course.checkins` and `course.commitments`."""

from django import forms
from django.utils import timezone

from course.checkins import NOTE_MAX_CHARS
from course.commitments import NOTE_MAX_CHARS as OUTCOME_MAX_CHARS
from course.commitments import TEXT_MAX_CHARS
from course.models import SIGNS

RATINGS = [(number, str(number)) for number in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


def rating_field(statement: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=statement,
        choices=RATINGS,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Please choose a rating from 1 to 5 for this sign.",
            "invalid_choice": "Please choose a rating from 1 to 5 for this sign.",
        },
    )


class CheckInForm(forms.Form):
    taken_on = forms.DateField(
        label="Date of this check-in",
        widget=DateInput(),
        error_messages={"invalid": "Please enter a date, for example 2026-03-01."},
    )
    note = forms.CharField(
        label="A note for yourself (optional)",
        required=False,
        max_length=NOTE_MAX_CHARS,
        help_text="Private unless you choose to share your note below. Shown as plain text.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    shared = forms.BooleanField(label="Share these scores with my spouse", required=False)
    note_shared = forms.BooleanField(label="Share my note too", required=False)

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        for field, _, statement in SIGNS:
            self.fields[field] = rating_field(statement)
        if partner is not None:
            self.fields["shared"].label = f"Share these scores with {partner.display_name}"

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on > timezone.localdate():
            raise forms.ValidationError("A check-in cannot be dated in the future.")
        return taken_on

    @property
    def signs(self):
        """The seven rating fields, in order, for the template's fieldsets."""
        return [self[field] for field, _, _ in SIGNS]

    @property
    def missing(self):
        return [self[field] for field, _, _ in SIGNS if self[field].errors]


class CommitmentForm(forms.Form):
    text = forms.CharField(
        label="What will you do?",
        max_length=TEXT_MAX_CHARS,
        help_text="Small and concrete, for example: I will be home by 6 on Tuesday.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        label="By when?",
        widget=DateInput(),
        error_messages={"invalid": "Please enter a date, for example 2026-03-01."},
    )
    shared = forms.BooleanField(label="Share it with my spouse", required=False)

    def __init__(self, *args, partner=None, **kwargs):
        kwargs.setdefault("auto_id", "commit-%s")
        super().__init__(*args, **kwargs)
        if partner is not None:
            self.fields["shared"].label = f"Share it with {partner.display_name}"


class ProposalForm(forms.Form):
    text = forms.CharField(
        label="What small step would you ask of them?",
        max_length=TEXT_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    due_on = forms.DateField(
        label="By when?",
        widget=DateInput(),
        error_messages={"invalid": "Please enter a date, for example 2026-03-01."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "propose-%s")
        super().__init__(*args, **kwargs)


class MarkForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How did it go?",
        choices=[("kept", "I kept it"), ("not_kept", "I did not keep it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose kept or not kept."},
    )
    note = forms.CharField(
        label="A note (optional)",
        required=False,
        max_length=OUTCOME_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgreementForm(forms.Form):
    """The wording of an agreement from a couple exercise (course.agreements checks the
    rest, such as how far off the review date may be)."""

    text = forms.CharField(
        label="Your agreement, in your own words",
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Please write the agreement down before you save it."},
    )
    review_on = forms.DateField(
        label="When will you look at it again together?",
        widget=DateInput(),
        error_messages={
            "required": "Please choose a review date.",
            "invalid": "Please enter a date, for example 2026-03-01.",
        },
    )
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)

"""Forms for trust check-ins and commitments. They validate; the writes are in
`course.checkins` and `course.commitments`."""

from django import forms
from django.utils import timezone

from accounts.forms import JINJA2_RENDERER
from course.checkins import NOTE_MAX_CHARS
from course.commitments import NOTE_MAX_CHARS as OUTCOME_MAX_CHARS
from course.commitments import TEXT_MAX_CHARS, mark_stamp
from course.models import SIGN_KEYS, SIGNS

RATINGS = [(number, str(number)) for number in range(1, 6)]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")


RATING_ERROR = "Please choose a rating from 1 to 5 for this sign."


def rating_field(statement: str) -> forms.TypedChoiceField:
    """Optional on its own: a whole column may be skipped (see `CheckInForm.clean`)."""
    return forms.TypedChoiceField(
        label=statement,
        choices=RATINGS,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": RATING_ERROR},
    )


class CheckInForm(forms.Form):
    """Two columns of seven ratings: about me, about my spouse. Either may be left empty,
    whole; half a column is marked so nothing is skipped by a slip of the finger.

    Its 70 radio inputs are drawn through Jinja2: 18 ms of CPU a page through Django's
    template language, 14 ms so (`bench/profile_page.py /check-ins/new/ --time-only`)."""

    default_renderer = JINJA2_RENDERER

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
    shared = forms.BooleanField(label="Share this check-in with my spouse", required=False)
    note_shared = forms.BooleanField(label="Share my note too", required=False)

    COLUMNS = {"self": "about yourself", "spouse": "about your spouse"}

    def __init__(self, *args, partner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partner = partner
        for key, _, about_me, about_spouse in SIGNS:
            self.fields[f"self_{key}"] = rating_field(about_me)
            self.fields[f"spouse_{key}"] = rating_field(about_spouse)
        if partner is not None:
            self.fields["shared"].label = f"Share this check-in with {partner.display_name}"

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on > timezone.localdate():
            raise forms.ValidationError("A check-in cannot be dated in the future.")
        return taken_on

    def clean(self):
        data = super().clean()
        rated_any = False
        for prefix, about in self.COLUMNS.items():
            names = [f"{prefix}_{key}" for key in SIGN_KEYS]
            touched = [n for n in names if n in self.errors or data.get(n) is not None]
            if not touched:
                continue  # this column is skipped, whole: that is allowed
            rated_any = True
            for name in names:
                if name not in self.errors and data.get(name) is None:
                    self.add_error(
                        name, f"Please rate this one too, or leave every rating {about} empty."
                    )
        if not rated_any:
            raise forms.ValidationError(
                "Please rate yourself, your spouse, or both. You can leave one of them empty.",
                code="nothing_rated",
            )
        return data

    def column(self, prefix: str) -> dict[str, int] | None:
        """The cleaned ratings of one column by sign key, or None if it was skipped."""
        scores = {key: self.cleaned_data.get(f"{prefix}_{key}") for key in SIGN_KEYS}
        return None if None in scores.values() else scores

    @property
    def columns(self):
        """(prefix, legend, fields) for the template: about me first, then my spouse."""
        spouse = self.partner.display_name if self.partner else "your spouse"
        return [
            ("self", "What you see in yourself", self.self_signs),
            ("spouse", f"What you see in {spouse}", self.spouse_signs),
        ]

    @property
    def self_signs(self):
        return [self[f"self_{key}"] for key in SIGN_KEYS]

    @property
    def spouse_signs(self):
        return [self[f"spouse_{key}"] for key in SIGN_KEYS]

    @property
    def missing(self):
        return [field for field in self.self_signs + self.spouse_signs if field.errors]


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
    # When the page was drawn, the commitment was last marked at this moment (empty:
    # never): a mark from a tab that is out of date is refused, not saved over.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    @classmethod
    def for_commitment(cls, commitment, data=None) -> "MarkForm":
        """The form as the page offers it: starting from the stored mark and note, so
        changing how it went never silently empties the note written before."""
        initial = {"seen": mark_stamp(commitment)}
        if commitment.status in ("kept", "not_kept"):
            initial |= {"outcome": commitment.status, "note": commitment.outcome_note}
        return cls(data, initial=initial)


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

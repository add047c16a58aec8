from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.functional import cached_property

from accounts.forms import JINJA2_RENDERER
from course.encryption import is_unreadable
from course.journal import sharing_labels
from course.models import Answer, Sharing

ANSWER_HELP = "Light formatting works: *emphasis*, **strong**, lists with -, quotes with >."
FORM_DAMAGED = (
    "Part of the form did not come through, so nothing was saved. Your words are below:"
    " save again to keep them (this replaces the answer saved before)."
)


UNREADABLE_KEPT = (
    "The answer saved before cannot be read at the moment, so it cannot be changed yet and "
    "is kept exactly as it was. Your new words are below: keep a copy and try again later."
)


class JournalTextField(forms.CharField):
    """Pasted text can carry NUL bytes. Django refuses them outright, which would leave
    an autosave failing forever over an invisible character; drop them instead, as
    `save_answer` does."""

    def to_python(self, value):
        return super().to_python(value).replace("\x00", "")


class SharingChoices(forms.RadioSelect):
    """Django's radio inputs, each in a `div.choice` with its label beside it (not
    wrapped), as the sharing fieldset is styled."""

    template_name = "course/answer_form/choices.html"


class AnswerForm(forms.Form):
    """One question's answer form: reads and checks every POST, and renders itself with
    Django's widget templates through `course/jinja2/course/answer_form/` (its fields'
    markup, ids and aria wiring all come from the bound fields, ids unique per prompt by
    `auto_id`).

    `reach` says who can read the stored answer; the page shows it under the text."""

    template_name = "course/answer_form/form.html"
    default_renderer = JINJA2_RENDERER

    text = JournalTextField(
        label="Your answer",
        required=False,
        help_text=ANSWER_HELP,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
        template_name="course/answer_form/text.html",
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    sharing = forms.ChoiceField(
        label="Who can see this answer",
        choices=Sharing.choices,
        required=False,
        widget=SharingChoices,
        template_name="course/answer_form/sharing.html",
    )

    def __init__(self, data=None, *, prompt, answer: Answer | None = None, reach=None):
        self.stored_sharing = answer.current_sharing if answer else Sharing.PRIVATE
        initial = {
            "text": answer.text if answer else "",
            "base_version": answer.version if answer else 0,
            "sharing": self.stored_sharing,
        }
        super().__init__(data, initial=initial, auto_id=f"{prompt.slug}-%s")
        self.prompt, self.answer = prompt, answer
        # The stored answer cannot be decrypted (a missing key): it is kept as it is.
        self.stored_unreadable = answer is not None and is_unreadable(answer.text)
        self.fields["text"].label = f"Your answer to: {prompt.text}"
        # Says what is stored, not what an unsaved form shows.
        self.who_can_read = reach.who_can_read(prompt, self.stored_sharing) if reach else ""
        self.partner_note = reach.partner_note(prompt, self.stored_sharing) if reach else ""
        # Whom a share goes to, in the choices' words too.
        partner = reach.partner if reach else None
        self.fields["sharing"].choices = list(sharing_labels(partner).items())
        # Nobody to share with yet: the choice would be offered, then undone on saving.
        self.unlinked = reach is not None and reach.partner is None

    @property
    def can_share(self) -> bool:
        """No share control for a private lesson's questions, nor before linking (the
        who-can-read line then says sharing comes with a link)."""
        return not self.prompt.lesson.private and not self.unlinked

    @cached_property
    def answer_url(self) -> str:
        return reverse("journal:answer", args=[self.prompt.slug])

    def clean(self):
        if self.stored_unreadable:
            self.add_error("text", UNREADABLE_KEPT)
        elif "text" not in self.data or {"base_version", "sharing"} & self.errors.keys():
            # A form without its text field, or with a hidden field missing or altered (a
            # broken page or script), must never be taken for an emptied answer.
            self.add_error("text", FORM_DAMAGED)
        return super().clean()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and {"base_version", "sharing"} & self._errors.keys():
            # Shown again as stored, never as sent, so saving again works and the sharing
            # choice never widens by accident; the words stay as typed.
            self.data = self.data.copy()
            self.data["base_version"] = self.initial["base_version"]
            self.data["sharing"] = self.stored_sharing
            # The text's error says it in words; the fields shown are as stored, so valid.
            self._errors.pop("base_version", None)
            self._errors.pop("sharing", None)
        if self.is_bound and "text" not in self.data:
            self.data = self.data.copy()
            self.data["text"] = self.initial["text"]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search your answers", required=False, max_length=200)

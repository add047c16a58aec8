from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.urls import reverse

from course.encryption import is_unreadable
from course.models import Answer, Prompt, Sharing

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


class AnswerForm(forms.Form):
    text = JournalTextField(
        label="Your answer",
        required=False,
        help_text=ANSWER_HELP,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "true"}),
    )
    base_version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    sharing = forms.ChoiceField(
        label="Who can see this answer",
        choices=Sharing.choices,
        required=False,
        widget=forms.RadioSelect,
    )

    # Set by answer_form when the stored answer cannot be decrypted (a missing key).
    stored_unreadable = False

    def clean(self):
        if self.stored_unreadable:
            self.add_error("text", UNREADABLE_KEPT)
        elif "text" not in self.data:
            # A form without its text field (a broken page or script) must never be taken
            # for an emptied answer.
            self.add_error("text", FORM_DAMAGED)
        return super().clean()


class SearchForm(forms.Form):
    q = forms.CharField(label="Search your answers", required=False, max_length=200)


def answer_form(prompt, answer=None, data=None) -> AnswerForm:
    """The answer form for one prompt, with ids unique on a page of several prompts."""
    initial = {
        "text": answer.text if answer else "",
        "base_version": answer.version if answer else 0,
        "sharing": answer.current_sharing if answer else Sharing.PRIVATE,
    }
    form = AnswerForm(data, initial=initial, auto_id=f"{prompt.slug}-%s")
    form.stored_unreadable = answer is not None and is_unreadable(answer.text)
    return form


@dataclass
class AnswerFields:
    """What `includes/answer_form.html` shows for one prompt, worked out in Python.

    A lesson page shows up to several forms, and rendering Django's bound fields for
    each took most of the page's time (bench/profile_page.py). The form class still
    reads and checks every POST; a form sent back with errors passes through
    `from_form`, so what the person typed is shown again exactly.
    """

    prompt: Prompt
    answer: Answer | None
    text: str
    base_version: int | str
    sharing: str
    answer_url: str
    errors: list[str] = field(default_factory=list)
    who_can_read: str = ""
    partner_note: str = ""
    help_text = ANSWER_HELP
    choices = Sharing.choices

    @property
    def can_share(self) -> bool:
        """A private lesson's questions offer no share control at all."""
        return not self.prompt.lesson.private

    @classmethod
    def for_prompts(
        cls, prompts: list[Prompt], answers: dict[str, Answer], reach
    ) -> list[AnswerFields]:
        """Blank or filled-in forms for each prompt, from `answers` by prompt slug."""
        journal_url = reverse("journal:index")
        rows = []
        for prompt in prompts:
            answer = answers.get(prompt.slug)
            sharing = answer.current_sharing if answer else Sharing.PRIVATE
            rows.append(
                cls(
                    prompt=prompt,
                    answer=answer,
                    text=answer.text if answer else "",
                    base_version=answer.version if answer else 0,
                    sharing=sharing,
                    answer_url=f"{journal_url}{prompt.slug}/",
                    who_can_read=reach.who_can_read(prompt, sharing),
                    partner_note=reach.partner_note(prompt, sharing),
                )
            )
        return rows

    @classmethod
    def from_form(
        cls, prompt: Prompt, answer: Answer | None, form: AnswerForm, reach
    ) -> AnswerFields:
        """The fields as `form` holds them: as typed if it was sent, else as stored.

        A hidden field that came back missing or altered (a broken page or script) is
        shown as stored, never as sent, and said in words, so saving again works and the
        sharing choice never widens by accident."""
        errors = list(form["text"].errors)
        version, sharing = form["base_version"].value(), form["sharing"].value()
        if form.is_bound and {"base_version", "sharing"} & form.errors.keys():
            errors.append(FORM_DAMAGED)
            version = answer.version if answer else 0
        stored = answer.current_sharing if answer else Sharing.PRIVATE
        if sharing not in Sharing.values:
            sharing = stored
        return cls(
            prompt=prompt,
            answer=answer,
            # As typed; a form that came without its text shows the stored one.
            text=(
                form["text"].value() or ""
                if not form.is_bound or "text" in form.data
                else (answer.text if answer else "")
            ),
            base_version=version,
            sharing=sharing,
            answer_url=reverse("journal:answer", args=[prompt.slug]),
            errors=errors,
            # Says what is stored, not what the unsaved form shows.
            who_can_read=reach.who_can_read(prompt, stored),
            partner_note=reach.partner_note(prompt, stored),
        )

    @property
    def history_url(self) -> str:
        return f"{self.answer_url}history/"

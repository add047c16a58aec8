from django import forms

from course.models import Sharing


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
        help_text="Private to you. Light formatting works: *emphasis*, **strong**, "
        "lists with -, quotes with >.",
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


class SearchForm(forms.Form):
    q = forms.CharField(label="Search your answers", required=False, max_length=200)


def answer_form(prompt, answer=None, data=None) -> AnswerForm:
    """The answer form for one prompt, with ids unique on a page of several prompts."""
    initial = {
        "text": answer.text if answer else "",
        "base_version": answer.version if answer else 0,
        "sharing": answer.sharing if answer else Sharing.PRIVATE,
    }
    return AnswerForm(data, initial=initial, auto_id=f"{prompt.slug}-%s")

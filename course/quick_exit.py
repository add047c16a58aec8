"""Quick exit: the words still on the page are saved first, then the session ends.

The page sends one request as it leaves (course.views.quick_exit), carrying every answer
not yet saved. Saving and signing out happen in that request, in that order, so a save
can never arrive after the sign-out and be refused as signed out. Whatever cannot be
saved (the answer changed elsewhere meanwhile, or it is too long) is not forced in: the
browser keeps it as a draft, offered back to its writer only, and a notice tells them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.forms import formset_factory

from accounts import notices
from course.encryption import is_unreadable
from course.forms import JournalTextField
from course.journal import AnswerTooLong, SaveResult, may_open, save_answer
from course.models import Answer, Prompt, Sharing
from course.progress import journey_for

# More answers than any lesson asks at once; a page never holds more.
MAX_DRAFTS = 30


class LeavingDraftForm(forms.Form):
    """One answer as the page held it when the writer left: like AnswerForm, plus which
    question it answers (a page can hold several)."""

    prompt = forms.SlugField(max_length=100)
    text = JournalTextField(required=False, strip=False)
    base_version = forms.IntegerField(min_value=0)
    sharing = forms.ChoiceField(choices=Sharing.choices, required=False)
    # Words brought back from a draft: the stored wording stays as a version of its own.
    keep_both = forms.BooleanField(required=False)

    def clean(self):
        # A draft without its text (a broken script) is never taken for an emptied answer.
        if self.add_prefix("text") not in self.data:
            self.add_error("text", "The text did not come through.")
        return super().clean()


LeavingDrafts = formset_factory(
    LeavingDraftForm, extra=0, max_num=MAX_DRAFTS, absolute_max=MAX_DRAFTS, validate_max=True
)


@dataclass
class Leaving:
    """The questions whose words are saved (the browser keeps the rest), and every save's
    result (for the activity log and the partner's notice of a new share)."""

    saved: list[str] = field(default_factory=list)
    results: list[SaveResult] = field(default_factory=list)


def save_before_leaving(*, author, drafts: list[dict]) -> Leaving:
    """Save each draft as `author`'s answer, as an autosave would have. A draft that
    meets a newer version is not saved over it (nobody is there to choose between
    the two): it is kept, and the writer is told on their home page next time."""
    leaving = Leaving()
    if not drafts:
        return leaving
    journey = journey_for(author)
    slugs = [draft["prompt"] for draft in drafts]
    prompts = Prompt.objects.select_related("lesson").in_bulk(slugs, field_name="slug")
    answers = {a.prompt_id: a for a in Answer.objects.filter(author=author, prompt_id__in=slugs)}
    for draft in drafts:
        slug = draft["prompt"]
        prompt, answer = prompts.get(slug), answers.get(slug)
        result = None
        # Never written over: a stored answer that cannot be read (a missing key).
        writable = not (answer and is_unreadable(answer.text))
        if prompt and may_open(prompt, answer, journey) and writable:
            try:
                result = save_answer(
                    author=author,
                    prompt=prompt,
                    text=draft["text"],
                    base_version=draft["base_version"],
                    sharing=draft.get("sharing") or None,
                    new_version=draft.get("keep_both", False),
                )
            except AnswerTooLong:
                result = None
        if result is not None:
            leaving.results.append(result)
            if not result.conflict:
                leaving.saved.append(slug)
    if any(result.conflict for result in leaving.results):
        notices.tell(author, notices.Kind.KEPT_IN_BROWSER)
    return leaving

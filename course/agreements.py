"""Agreements and plans from couple exercises: written down, offered, agreed, reviewed.

An exercise that produces something (`::: exercise Title {agreement=openness}`, see
content/README.md) lets a spouse write it down here. It is theirs alone until they offer
it to the link. Then the partner may agree to it, or write a change; a change needs the
other spouse's agreement in turn, so nothing is ever agreed by the one who wrote it.
Each wording carries a review date, and either spouse may step back at any time: an
agreement is offered and agreed, never imposed. Earlier wordings stay readable.

Every write is one function here; who may see what is `course.sharing`'s answer
(`Agreement.objects.visible_to`, `AgreementVersion.objects.visible_to`). Nothing here
sends email or logs what anyone wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.links import couple_of
from course.models import AGREEMENT_TITLES, Agreement, AgreementVersion

TEXT_MAX_CHARS = 5_000
# An openness agreement is time-limited: looked at again within three months at most.
LONGEST_UNTIL_REVIEW = {"openness": timedelta(days=92)}
LONGEST_OTHERWISE = timedelta(days=366)
KINDS = tuple(AGREEMENT_TITLES)


class AgreementRefused(Exception):
    """A reason, in words a spouse can read, why this cannot be done."""


class NewWordingArrived(AgreementRefused):
    """Another wording was saved since the writer opened theirs: nothing is saved over it."""


def longest_until_review(kind: str) -> timedelta:
    return LONGEST_UNTIL_REVIEW.get(kind, LONGEST_OTHERWISE)


def clean(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\x00", "").strip()


@dataclass(frozen=True)
class AgreementOnPage:
    """An agreement as one spouse sees it: the wording in force for them and the rest."""

    agreement: Agreement
    current: AgreementVersion | None
    earlier: list[AgreementVersion]
    viewer_is_author: bool
    offered: bool  # shared with the link the viewer is in now

    @property
    def may_agree(self) -> bool:
        return (
            self.offered
            and self.current is not None
            and not self.current.agreed
            and self.current.written_by_id != self._viewer_pk
        )

    @property
    def waiting_for_partner(self) -> bool:
        return (
            self.offered
            and self.current is not None
            and not self.current.agreed
            and self.current.written_by_id == self._viewer_pk
        )

    _viewer_pk: int = 0


def on_page(viewer, agreement: Agreement) -> AgreementOnPage:
    versions = list(AgreementVersion.objects.visible_to(viewer).filter(agreement=agreement))
    couple = couple_of(viewer)
    offered = couple is not None and agreement.shared_with_id == couple.pk
    return AgreementOnPage(
        agreement=agreement,
        current=versions[0] if versions else None,
        earlier=versions[1:],
        viewer_is_author=agreement.author_id == viewer.pk,
        offered=offered,
        _viewer_pk=viewer.pk,
    )


def _locked(viewer, agreement_id: int) -> Agreement:
    agreement = (
        Agreement.objects.visible_to(viewer).select_for_update().filter(pk=agreement_id).first()
    )
    if agreement is None:
        raise AgreementRefused("This agreement is no longer shared with you.")
    return agreement


def _check(kind: str, text: str, review_on: date) -> str:
    text = clean(text)
    if not text:
        raise AgreementRefused("Please write the agreement down before you save it.")
    if len(text) > TEXT_MAX_CHARS:
        raise AgreementRefused(
            f"That is {len(text):,} characters; an agreement can be up to {TEXT_MAX_CHARS:,}. "
            "Shorter is often clearer."
        )
    today = timezone.localdate()
    if review_on <= today:
        raise AgreementRefused("Please choose a review date after today.")
    if review_on > today + longest_until_review(kind):
        days = longest_until_review(kind).days
        raise AgreementRefused(
            f"Please choose a review date within {days} days. An agreement like this "
            "works best when you look at it again soon."
        )
    return text


def start_agreement(*, author, kind: str, text: str, review_on: date) -> Agreement:
    """A spouse writes one down for the first time: private, theirs alone."""
    if kind not in KINDS:
        raise AgreementRefused("There is no agreement of that kind.")
    text = _check(kind, text, review_on)
    with transaction.atomic():
        agreement, created = Agreement.objects.get_or_create(author=author, kind=kind)
        if not created:
            raise AgreementRefused("You have written this one already: change it from its page.")
        AgreementVersion.objects.create(
            agreement=agreement, number=1, text=text, review_on=review_on, written_by=author
        )
    return agreement


def revise(*, writer, agreement: Agreement, text: str, review_on: date, base: int) -> None:
    """A new wording, by either spouse. In an offered agreement it is offered too, and
    waits for the other spouse's agreement. `base` is the wording the writer started
    from: if another came meanwhile, nothing is saved over it unseen."""
    text = _check(agreement.kind, text, review_on)
    with transaction.atomic():
        agreement = _locked(writer, agreement.pk)
        page = on_page(writer, agreement)
        if page.current is not None and page.current.number != base:
            raise NewWordingArrived(
                "A new wording arrived while you were writing. Your words are below: "
                "read the new one, then save yours again if you still want to."
            )
        number = (agreement.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        AgreementVersion.objects.create(
            agreement=agreement,
            number=number,
            text=text,
            review_on=review_on,
            written_by=writer,
            shared_with=agreement.shared_with,
        )


def offer(*, author, agreement: Agreement) -> None:
    """The writer offers their agreement to the link, wording in force included."""
    with transaction.atomic():
        agreement = _locked(author, agreement.pk)
        if agreement.author_id != author.pk:
            raise AgreementRefused("Only the spouse who wrote it down can offer it.")
        couple = couple_of(author)
        if couple is None:
            raise AgreementRefused("You can offer it once your accounts are linked.")
        agreement.shared_with = couple
        agreement.save(update_fields=["shared_with"])
        current = on_page(author, agreement).current
        if current is not None and current.written_by_id == author.pk:
            current.shared_with = couple
            current.save(update_fields=["shared_with"])


def take_back(*, author, agreement: Agreement) -> None:
    """The writer stops offering it: it is theirs alone again."""
    with transaction.atomic():
        agreement = _locked(author, agreement.pk)
        if agreement.author_id != author.pk:
            raise AgreementRefused("Only the spouse who wrote it down can take it back.")
        agreement.shared_with = None
        agreement.save(update_fields=["shared_with"])


def agree(*, viewer, agreement: Agreement, number: int) -> None:
    """The other spouse agrees to the wording they read (`number`), and only that one."""
    with transaction.atomic():
        agreement = _locked(viewer, agreement.pk)
        page = on_page(viewer, agreement)
        if page.current is None or page.current.number != number:
            raise AgreementRefused("The wording changed since you opened it: read it again first.")
        if not page.may_agree:
            raise AgreementRefused("Only your spouse can agree to a wording you wrote.")
        page.current.agreed_at = timezone.now()
        page.current.save(update_fields=["agreed_at"])


def step_back(*, viewer, agreement: Agreement) -> None:
    """Either spouse may say they no longer agree, at any time, for any reason."""
    with transaction.atomic():
        agreement = _locked(viewer, agreement.pk)
        current = on_page(viewer, agreement).current
        if current is not None and current.agreed:
            current.agreed_at = None
            current.save(update_fields=["agreed_at"])

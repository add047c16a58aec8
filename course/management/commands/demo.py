"""Development only: a linked demo couple with weeks of history, so a newcomer sees the
whole product: progress, answers shared and kept private, replies, an exchange still
waiting, check-ins over six weeks, shared one by one (the charts need more than one
point), commitments kept, missed and proposed. Everything goes through the same
functions the pages use."""

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import services
from accounts.models import User
from course.checkins import record_checkin
from course.commitments import (
    answer_proposal,
    confirm_kept,
    make_commitment,
    mark_commitment,
    propose_commitment,
)
from course.journal import save_answer
from course.models import SIGN_KEYS, Completion, Lesson, Prompt, Reply
from course.replies import add_reply

PASSWORD = "trellis-demo-couple"  # noqa: S105 (development-only demo accounts)
PEOPLE = [("Sam", "sam@demo.trellis", "broke"), ("Jo", "jo@demo.trellis", "hurt")]
ANSWERS = {
    "Sam": [
        ("honesty-foundation-condition", "Cracked in places, but it is still there.", "shared"),
        ("honesty-small-truth-told", "I said I was tired, not fine. It went well.", "private"),
        ("honesty-everyday-truth", "Saying where I am when I am running late.", "when_both"),
        ("honesty-story-i-tell", "That I am the calm one. I am not always.", "shared"),
        ("honesty-easiest-slip", "Saying the bill is paid when it is not yet.", "private"),
    ],
    "Jo": [
        ("honesty-foundation-condition", "Shaky. I want to believe we can mend it.", "shared"),
        ("honesty-story-i-tell", "That I should be over it by now.", "when_both"),
        ("honesty-small-truth-told", "I told my sister the truth about us.", "private"),
    ],
}


# (who, weeks ago, ratings of themselves or None, ratings of their spouse or None, shared):
# rising slowly over the weeks. Sam, who broke trust, rates both; Jo, who was hurt, rates
# only Sam at first and herself from the third week on, and shares only her last three.
def _rising(base: int, weeks: int) -> list[int]:
    return [min(5, base + (6 - weeks) // 2 + offset) for offset in (0, 1, 0, 1, 0, 0, 1)]


CHECKINS = [
    *(("Sam", weeks, _rising(2, weeks), _rising(3, weeks), True) for weeks in range(6, 0, -1)),
    *(
        ("Jo", weeks, _rising(2, weeks) if weeks <= 4 else None, _rising(1, weeks), weeks <= 3)
        for weeks in range(6, 0, -1)
    ),
]
COMMITMENTS = [
    # (author, text, days from today, outcome)
    ("Sam", "Text when I am going to be more than 20 minutes late.", -20, "kept"),
    ("Sam", "Put my phone away at dinner.", -12, "not_kept"),
    (
        "Sam",
        "Tell Jo about the call from my old colleague before she hears it elsewhere.",
        -6,
        "kept",
    ),
    ("Sam", "Book the first session with the counselor.", 5, None),
    ("Jo", "Take one evening walk on my own each week.", -9, "kept"),
]


class Command(BaseCommand):
    help = "Development only: create a linked demo couple with weeks of history."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo couple is for development only (DJANGO_DEBUG is off).")
        lessons = list(Lesson.objects.current().order_by("stage__order", "order"))
        if not lessons:
            raise CommandError("Load the lessons first: python manage.py sync_content")
        users = {}
        for name, email, role in PEOPLE:
            User.objects.filter(email=email).delete()
            user = User.objects.create_user(
                email=email, password=PASSWORD, display_name=name, role=role
            )
            user.role_asked_at = timezone.now()
            user.save(update_fields=["role_asked_at"])
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            users[name] = user
        sam, jo = users["Sam"], users["Jo"]
        created = services.create_invitation(inviter=sam)
        services.accept_invitation(invitation=created.invitation, user=jo)

        honesty = [lesson for lesson in lessons if lesson.stage.slug == "honesty"]
        Completion.objects.bulk_create([Completion(user=sam, lesson=x) for x in honesty])
        Completion.objects.bulk_create([Completion(user=jo, lesson=x) for x in honesty[:5]])

        prompts = {p.slug: p for p in Prompt.objects.current()}
        saved = {}
        for name, answers in ANSWERS.items():
            for slug, text, sharing in answers:
                if slug in prompts:
                    result = save_answer(
                        author=users[name],
                        prompt=prompts[slug],
                        text=text,
                        base_version=0,
                        sharing=sharing,
                    )
                    saved[name, slug] = result.answer
        replies = [
            (jo, ("Sam", "honesty-foundation-condition"), Reply.Kind.THANKS, ""),
            (sam, ("Jo", "honesty-foundation-condition"), Reply.Kind.WORDS, "Me too. Slowly."),
            (jo, ("Sam", "honesty-story-i-tell"), Reply.Kind.TALK, ""),
        ]
        for author, key, kind, text in replies:
            if key in saved:
                add_reply(author=author, answer_id=saved[key].pk, kind=kind, text=text)

        today = timezone.localdate()
        for name, weeks, about_me, about_spouse, shared in CHECKINS:
            record_checkin(
                author=users[name],
                taken_on=today - timedelta(weeks=weeks),
                self_scores=about_me and dict(zip(SIGN_KEYS, about_me, strict=True)),
                spouse_scores=about_spouse and dict(zip(SIGN_KEYS, about_spouse, strict=True)),
                note="A calmer week." if weeks == 1 else "",
                shared=shared,
                note_shared=name == "Sam",
            )

        for name, text, days, outcome in COMMITMENTS:
            commitment = make_commitment(
                author=users[name], text=text, due_on=today + timedelta(days=days), shared=True
            )
            if outcome:
                mark_commitment(author=users[name], commitment=commitment, kept=outcome == "kept")
                if outcome == "kept" and name == "Sam":
                    confirm_kept(viewer=jo, commitment=commitment)
        accepted = propose_commitment(
            proposer=jo, partner=sam, text="Tell me when you hear from her.", due_on=today
        )
        answer_proposal(author=sam, commitment=accepted, accept=True)
        propose_commitment(
            proposer=jo,
            partner=sam,
            text="Plan one evening out, just us.",
            due_on=today + timedelta(days=14),
        )

        self.stdout.write(self.style.SUCCESS("Demo couple ready. Sign in at /accounts/login/ as:"))
        for name, email, role in PEOPLE:
            self.stdout.write(f"  {name}: {email} / {PASSWORD}  (where they stand: {role})")

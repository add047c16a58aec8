from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts import services
from accounts.models import User
from course.journal import save_answer
from course.models import Completion, Lesson, Prompt

PASSWORD = "trellis-demo-couple"  # noqa: S105 (development-only demo accounts)
PEOPLE = [("Sam", "sam@demo.trellis"), ("Jo", "jo@demo.trellis")]
ANSWERS = {
    "Sam": [
        ("honesty-foundation-condition", "Cracked in places, but it is still there.", "shared"),
        ("honesty-small-truth-told", "I said I was tired, not fine. It went well.", "private"),
        ("honesty-everyday-truth", "Saying where I am when I am running late.", "when_both"),
    ],
    "Jo": [
        ("honesty-foundation-condition", "Shaky. I want to believe we can mend it.", "shared"),
    ],
}


class Command(BaseCommand):
    help = "Development only: create a linked demo couple with some progress and answers."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo couple is for development only (DJANGO_DEBUG is off).")
        lessons = list(Lesson.objects.current().order_by("stage__order", "order")[:3])
        if not lessons:
            raise CommandError("Load the lessons first: python manage.py sync_content")
        users = {}
        for name, email in PEOPLE:
            User.objects.filter(email=email).delete()
            user = User.objects.create_user(email=email, password=PASSWORD, display_name=name)
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=True)
            users[name] = user
        created = services.create_invitation(inviter=users["Sam"])
        services.accept_invitation(invitation=created.invitation, user=users["Jo"])
        for lesson in lessons:
            Completion.objects.create(user=users["Sam"], lesson=lesson)
        Completion.objects.create(user=users["Jo"], lesson=lessons[0])
        prompts = {p.slug: p for p in Prompt.objects.current()}
        for name, answers in ANSWERS.items():
            for slug, text, sharing in answers:
                if slug in prompts:
                    save_answer(
                        author=users[name],
                        prompt=prompts[slug],
                        text=text,
                        base_version=0,
                        sharing=sharing,
                    )
        self.stdout.write(self.style.SUCCESS("Demo couple ready. Sign in at /accounts/login/ as:"))
        for name, email in PEOPLE:
            self.stdout.write(f"  {name}: {email} / {PASSWORD}")

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from course.content import load_course
from course.sync import ContentInvalid, sync_course


class Command(BaseCommand):
    help = "Mirror the Markdown lessons in content/ into the database, all or nothing."

    def handle(self, *args, **options) -> None:
        try:
            report = sync_course(load_course(settings.CONTENT_DIR))
        except ContentInvalid as invalid:
            raise CommandError(
                f"content has {len(invalid.errors)} problem(s); nothing was changed:\n{invalid}"
            ) from None
        if report.is_unchanged:
            self.stdout.write("Content is up to date; nothing changed.")
            return
        for verb, items in (
            ("added", report.added),
            ("changed", report.changed),
            ("retired", report.retired),
        ):
            for item in items:
                self.stdout.write(f"  {verb}: {item}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Content synced: {len(report.added)} added, {len(report.changed)} changed, "
                f"{len(report.retired)} retired."
            )
        )

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from course.encryption import EncryptedTextField, is_unreadable

BATCH = 500


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field with the first key in TRELLIS_JOURNAL_KEYS. "
        "Run after putting a new key first; then the old key can be removed."
    )

    def handle(self, *args, **options) -> None:
        total = unreadable = 0
        for model in apps.get_models():
            fields = [f.name for f in model._meta.fields if isinstance(f, EncryptedTextField)]
            if not fields:
                continue
            rows = model.objects.only("pk", *fields).order_by("pk")
            with transaction.atomic():
                batch = []
                # Reading decrypts with any listed key; saving encrypts with the first.
                # A row no key opens is written back exactly as it was.
                for row in rows.iterator(chunk_size=BATCH):
                    unreadable += any(is_unreadable(getattr(row, name)) for name in fields)
                    batch.append(row)
                    if len(batch) == BATCH:
                        model.objects.bulk_update(batch, fields)
                        total += len(batch)
                        batch = []
                model.objects.bulk_update(batch, fields)
                total += len(batch)
            self.stdout.write(f"  {model._meta.label}: re-encrypted")
        if unreadable:
            raise CommandError(
                f"{unreadable} row(s) could not be read with any listed key and were left as "
                "they were. Do not remove an old key until they can be read."
            )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {total} row(s) with the newest key."))

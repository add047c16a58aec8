from django.db import migrations


def carry_shares_to_the_link(apps, schema_editor):
    """Today's shares belong to the link their author is in now; a share whose author
    has no link is dropped (made private). Waiting proposals wait in the link of the
    two spouses, or go if the two are no longer linked."""
    Membership = apps.get_model("accounts", "Membership")
    Answer = apps.get_model("course", "Answer")
    CheckIn = apps.get_model("course", "CheckIn")
    Commitment = apps.get_model("course", "Commitment")
    couple_of = dict(Membership.objects.values_list("user_id", "couple_id"))

    for answer in Answer.objects.exclude(sharing="private").only("pk", "author_id"):
        couple = couple_of.get(answer.author_id)
        if couple is None:
            Answer.objects.filter(pk=answer.pk).update(sharing="private", shared_at=None)
        else:
            Answer.objects.filter(pk=answer.pk).update(shared_with_id=couple)
    for checkin in CheckIn.objects.filter(shared=True).only("pk", "author_id"):
        couple = couple_of.get(checkin.author_id)
        CheckIn.objects.filter(pk=checkin.pk).update(
            shared_with_id=couple, note_shared=couple is not None and checkin.note_shared
        )
    CheckIn.objects.filter(shared=False).update(note_shared=False)
    for commitment in Commitment.objects.filter(shared=True).only(
        "pk", "author_id", "proposed_by_id", "status"
    ):
        couple = couple_of.get(commitment.author_id)
        waiting = commitment.status == "proposed"
        if waiting and (couple is None or couple_of.get(commitment.proposed_by_id) != couple):
            Commitment.objects.filter(pk=commitment.pk).delete()
            continue
        Commitment.objects.filter(pk=commitment.pk).update(
            shared_with_id=couple, proposed_in_id=couple if waiting else None
        )


def back_to_flags(apps, schema_editor):
    Answer = apps.get_model("course", "Answer")
    CheckIn = apps.get_model("course", "CheckIn")
    Commitment = apps.get_model("course", "Commitment")
    Answer.objects.filter(shared_with__isnull=True).update(sharing="private", shared_at=None)
    CheckIn.objects.filter(shared_with__isnull=False).update(shared=True)
    CheckIn.objects.filter(shared_with__isnull=True).update(note_shared=False)
    Commitment.objects.filter(shared_with__isnull=False).update(shared=True)


class Migration(migrations.Migration):

    dependencies = [
        ('course', '0006_shares_belong_to_the_link'),
    ]

    operations = [
        migrations.RunPython(carry_shares_to_the_link, back_to_flags),
    ]

"""Check-ins rate each sign twice: what a spouse sees in themselves and in their spouse.

Until now each sign was one rating of "we" ("We say what we mean."). Existing ratings
become the **self** column (`says` -> `self_says`, and so on): a "we" rating was always the
author's own view, their part in it included, and it is the nearest honest home for it.
The new **spouse** column stays empty on every existing row, shown as "not rated": the old
form never asked about the spouse alone, and a number nobody gave is not invented here.
No row is dropped, and sharing (`shared_with`, `note_shared`) is untouched.

Either column may now be skipped (whole, never half), but not both; the constraints say so.
"""

from django.db import migrations, models
from django.db.models import Q

KEYS = ("says", "follows", "seeks", "priority", "avoids", "works", "invests")
SELF = tuple(f"self_{key}" for key in KEYS)
SPOUSE = tuple(f"spouse_{key}" for key in KEYS)
STATEMENTS = {
    "says": ("I say what I mean.", "My spouse says what they mean."),
    "follows": ("I follow through on what I say.", "My spouse follows through on what they say."),
    "seeks": (
        "I seek the good of our relationship.",
        "My spouse seeks the good of our relationship.",
    ),
    "priority": (
        "Our relationship is a priority to me.",
        "Our relationship is a priority to my spouse.",
    ),
    "avoids": (
        "I avoid what harms our relationship.",
        "My spouse avoids what harms our relationship.",
    ),
    "works": (
        "I do my part to work through our problems.",
        "My spouse does their part to work through our problems.",
    ),
    "invests": (
        "I give more to our relationship than I take.",
        "My spouse gives more to our relationship than they take.",
    ),
}


def rating(statement: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=f"1 to 5, or empty if skipped: {statement}"
    )


def all_or_none(fields) -> Q:
    return Q(**{f"{field}__isnull": True for field in fields}) | Q(
        **{f"{field}__isnull": False for field in fields}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0013_agreements"),
    ]

    operations = [
        *(
            migrations.RemoveConstraint(model_name="checkin", name=f"checkin_{key}_1_to_5")
            for key in KEYS
        ),
        *(
            migrations.RenameField(model_name="checkin", old_name=key, new_name=f"self_{key}")
            for key in KEYS
        ),
        *(
            migrations.AlterField(
                model_name="checkin", name=f"self_{key}", field=rating(STATEMENTS[key][0])
            )
            for key in KEYS
        ),
        *(
            migrations.AddField(
                model_name="checkin", name=f"spouse_{key}", field=rating(STATEMENTS[key][1])
            )
            for key in KEYS
        ),
        *(
            migrations.AddConstraint(
                model_name="checkin",
                constraint=models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True})
                    | Q(**{f"{field}__gte": 1, f"{field}__lte": 5}),
                    name=f"checkin_{field}_1_to_5",
                ),
            )
            for field in SELF + SPOUSE
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=all_or_none(SELF), name="checkin_self_rated_whole"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=all_or_none(SPOUSE), name="checkin_spouse_rated_whole"
            ),
        ),
        migrations.AddConstraint(
            model_name="checkin",
            constraint=models.CheckConstraint(
                condition=Q(self_says__isnull=False) | Q(spouse_says__isnull=False),
                name="checkin_rates_someone",
            ),
        ),
    ]

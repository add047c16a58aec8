# Issue 16: lessons as ordered parts (shared text, role parts, exercises), private
# lessons, and questions for one role.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0009_replies"),
    ]

    operations = [
        migrations.AddField(
            model_name="lesson",
            name="parts",
            field=models.JSONField(
                default=list,
                help_text="The body in reading order, rendered and sanitised once, at sync: "
                'a list of {"kind": shared|role|exercise, "role", "title", "html"}.',
            ),
        ),
        migrations.AddField(
            model_name="prompt",
            name="role",
            field=models.CharField(
                blank=True,
                choices=[
                    ("hurt", "The spouse who was hurt"),
                    ("broke", "The spouse who broke trust"),
                ],
                help_text="Blank: a question for everyone.",
                max_length=10,
            ),
        ),
    ]

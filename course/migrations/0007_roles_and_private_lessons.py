# Issue 16: lessons as ordered parts (shared text, role parts, exercises), private
# lessons, and questions for one role.

from django.db import migrations, models


def body_to_parts(apps, schema_editor):
    """Each lesson's HTML becomes its one shared part, so pages read right until the next
    sync_content renders the parts afresh (the renderer changed, so every lesson does)."""
    Lesson = apps.get_model("course", "Lesson")
    for lesson in Lesson.objects.only("pk", "body_html"):
        lesson.parts = [{"kind": "shared", "role": "", "title": "", "html": lesson.body_html}]
        lesson.save(update_fields=["parts"])


def parts_to_body(apps, schema_editor):
    Lesson = apps.get_model("course", "Lesson")
    for lesson in Lesson.objects.only("pk", "parts"):
        lesson.body_html = "\n".join(part["html"] for part in lesson.parts)
        lesson.save(update_fields=["body_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0005_content_revision"),
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
        migrations.RunPython(body_to_parts, parts_to_body, elidable=True),
        migrations.RemoveField(
            model_name="lesson",
            name="body_html",
        ),
        migrations.AddField(
            model_name="lesson",
            name="private",
            field=models.BooleanField(
                default=False,
                help_text="Never shown in the partner's view; its questions are private-only.",
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

from django.db import migrations


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
        ("course", "0010_roles_and_lesson_parts"),
    ]

    operations = [
        migrations.RunPython(body_to_parts, parts_to_body, elidable=True),
    ]

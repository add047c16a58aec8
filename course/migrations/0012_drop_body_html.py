from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("course", "0011_body_to_parts"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="lesson",
            name="body_html",
        ),
    ]

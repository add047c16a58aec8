from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('course', '0007_carry_shares_to_the_link'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='checkin',
            name='shared',
        ),
        migrations.RemoveField(
            model_name='commitment',
            name='shared',
        ),
    ]

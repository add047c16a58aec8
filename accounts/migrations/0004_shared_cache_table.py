from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # The rate limits' cache (settings.CACHES) is a table every worker shares; creating
    # it here means every `migrate` (make run, deploys, the benchmarks) has it.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_audit")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]

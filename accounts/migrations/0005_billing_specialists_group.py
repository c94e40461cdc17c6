from django.db import migrations

SPECIALISTS_GROUP = "Billing specialists"


def create_group(apps, schema_editor):
    # Its permissions are set after every migrate by portal.specialists (the models of later
    # migrations must exist first).
    apps.get_model("auth", "Group").objects.get_or_create(name=SPECIALISTS_GROUP)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=SPECIALISTS_GROUP).delete()


class Migration(migrations.Migration):
    """The "Billing specialists" group: staff who work in Django admin, never superusers."""

    dependencies = [("accounts", "0004_membership_subgroups"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_group, remove_group)]

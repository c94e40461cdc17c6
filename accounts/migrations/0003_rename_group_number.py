from django.db import migrations


class Migration(migrations.Migration):
    """The carrier's Group ID is `group_number`: `group_id` read like a foreign key column."""

    dependencies = [("accounts", "0002_user_session_epoch")]

    operations = [
        migrations.RemoveConstraint(model_name="employergroup", name="group_id_six_digits"),
        migrations.RenameField(model_name="employergroup", old_name="group_id", new_name="group_number"),
    ]

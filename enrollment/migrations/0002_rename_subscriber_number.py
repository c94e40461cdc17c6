from django.db import migrations


class Migration(migrations.Migration):
    """The carrier's Subscriber ID is `subscriber_number`: `subscriber_id` is the foreign key column of other models."""

    dependencies = [("enrollment", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="subscriber", name="subscriber_id_format"),
        migrations.RenameField(model_name="subscriber", old_name="subscriber_id", new_name="subscriber_number"),
    ]

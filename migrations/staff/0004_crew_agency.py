"""A crew member works for one agency (StaffUser.agency, an agency key); other staff have none."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0009_field_kernel'), ('staff', '0003_sessions_and_login_streaks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StaffUser',
            name='agency',
            field=fields.CharField(null=True, max_length=64),
        ),
    ]

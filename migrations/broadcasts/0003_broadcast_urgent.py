"""Urgent broadcasts: an official may send one during quiet hours (issue 16)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('broadcasts', '0002_subscriber_grid_place')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Broadcast',
            name='urgent',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]

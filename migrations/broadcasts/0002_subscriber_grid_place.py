"""A subscriber's place on the city's grid (district, street, cell), for warnings to a grid scope."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('broadcasts', '0001_initial'), ('core', '0007_city'), ('staff', '0002_audit_event')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Subscriber',
            name='area',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Subscriber',
            name='cell',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Subscriber',
            name='street',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
    ]

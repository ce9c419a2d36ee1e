"""What field crews need of the kernel: a report's verified fix, the deadline moves an agency asks for, and
an agency's supervisor chat (overdue escalation)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0008_photo_hash_bands')]

    initial = False

    operations = [
        ops.CreateModel(
            name='DueExtension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='due_extensions', on_delete=OnDelete.CASCADE)),
                ('from_due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('to_due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor', fields.CharField(max_length=64)),
                ('reason', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'due_extension', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A later resolution deadline the agency asked for (bot/reports/deadlines.py): who, when, why, from and to.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Agency',
            name='supervisor_chat_id',
            field=fields.BigIntField(null=True),
        ),
        ops.AddField(
            model_name='Report',
            name='verified_fixed_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]

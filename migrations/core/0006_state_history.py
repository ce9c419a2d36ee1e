"""History of every state machine other than a report's status (bot/machines.py)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0005_outbox')]

    initial = False

    operations = [
        ops.CreateModel(
            name='StateHistory',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('machine', fields.CharField(max_length=32)),
                ('entity_id', fields.IntField()),
                ('from_state', fields.CharField(null=True, max_length=24)),
                ('to_state', fields.CharField(max_length=24)),
                ('actor', fields.CharField(max_length=64)),
                ('reason', fields.TextField(default='', unique=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'state_history', 'app': 'core', 'indexes': [Index(fields=['machine', 'entity_id'])], 'pk_attr': 'id', 'table_description': 'One move of a state machine other than a report status.'},
            bases=['Model'],
        ),
    ]

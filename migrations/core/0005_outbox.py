"""The status-change outbox: per-change reaction bookkeeping, and claims on unsolicited messages.

Changes made before this migration were announced by the old listeners, so they count as reacted.
"""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0004_update_inbox')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StatusChange',
            name='reacted_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='StatusChange',
            name='react_claimed_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.RunSQL("UPDATE status_change SET reacted_at = changed_at"),
        ops.CreateModel(
            name='ReactionDone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('change', fields.ForeignKeyField('core.StatusChange', source_field='change_id', db_constraint=True, to_field='id', related_name='reactions_done', on_delete=OnDelete.CASCADE)),
                ('reaction', fields.CharField(max_length=64)),
                ('done_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reaction_done', 'app': 'core', 'unique_together': (('change', 'reaction'),), 'pk_attr': 'id', 'table_description': 'One feature reaction that has run for one status change.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SentMessage',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=128)),
                ('chat_id', fields.BigIntField()),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'sent_message', 'app': 'core', 'pk_attr': 'key', 'table_description': 'A message nobody asked for, claimed under a deterministic key before it is sent.'},
            bases=['Model'],
        ),
    ]

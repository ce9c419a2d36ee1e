from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0003_prompt_message'), ('moderation', '0002_queue_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='GroupPost',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='group_posts', on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField(null=True)),
                ('has_photo', fields.BooleanField(default=False)),
                ('body', fields.TextField(unique=False)),
                ('notes', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('open', fields.BooleanField(default=True)),
                ('version', fields.IntField(default=0)),
                ('shown_version', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'group_post', 'app': 'moderation', 'unique_together': (('report', 'chat_id'),), 'pk_attr': 'id', 'table_description': "A report's message in the moderators' Telegram group: posted once, then edited as the report moves on."},
            bases=['Model'],
        ),
    ]

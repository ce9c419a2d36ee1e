from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0001_initial'), ('core', '0002_duplicates')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Agency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=64)),
                ('name', fields.CharField(max_length=128)),
                ('name_zh', fields.CharField(default='', max_length=128)),
                ('categories', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('areas', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('telegram_chat_id', fields.BigIntField(null=True)),
                ('active', fields.BooleanField(default=True, db_default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'agency', 'app': 'moderation', 'pk_attr': 'id', 'table_description': 'An agency or grid unit that fixes hazards of some categories in some areas.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.CharField(db_index=True, max_length=64)),
                ('action', fields.CharField(db_index=True, max_length=48)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', null=True, db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.SET_NULL)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'audit_event', 'app': 'moderation', 'pk_attr': 'id', 'table_description': 'One staff (or system) action: who did what to which report, with the details.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FixedCheck',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='fixed_checks', on_delete=OnDelete.CASCADE)),
                ('fixed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answer', fields.CharField(null=True, max_length=8)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'fixed_check', 'app': 'moderation', 'unique_together': (('report', 'fixed_at'),), 'pk_attr': 'id', 'table_description': 'The "is it really fixed?" question asked once per fix of a report, and the reporter\'s answer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InfoRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='info_requests', on_delete=OnDelete.CASCADE)),
                ('question', fields.TextField(unique=False)),
                ('asked_by', fields.CharField(max_length=64)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('answer_text', fields.TextField(null=True, unique=False)),
                ('answer_photo', fields.ForeignKeyField('core.Photo', source_field='answer_photo_id', null=True, db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.SET_NULL)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'info_request', 'app': 'moderation', 'pk_attr': 'id', 'table_description': "A moderator's question to the reporter and, once given, the reporter's answer."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PhotoRedaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('photo', fields.ForeignKeyField('core.Photo', source_field='photo_id', db_constraint=True, to_field='id', related_name='redactions', on_delete=OnDelete.CASCADE)),
                ('original_key', fields.CharField(max_length=160)),
                ('redacted_key', fields.CharField(max_length=160)),
                ('box', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actor', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'photo_redaction', 'app': 'moderation', 'pk_attr': 'id', 'table_description': 'A black box drawn over part of a photo (the original bytes stay under a restricted key).'},
            bases=['Model'],
        ),
    ]

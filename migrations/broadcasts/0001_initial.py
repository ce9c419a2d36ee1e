from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('core', '0002_duplicates'), ('staff', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AreaSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='area_subscriptions', on_delete=OnDelete.CASCADE)),
                ('area_key', fields.CharField(db_index=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'broadcast_area_subscription', 'app': 'broadcasts', 'unique_together': (('resident', 'area_key'),), 'pk_attr': 'id', 'table_description': 'A resident follows one area (a district / grid cell key of bot.reports.areas).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Broadcast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(null=True, unique=True, max_length=64)),
                ('title', fields.CharField(max_length=128)),
                ('texts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('photo_key', fields.CharField(null=True, max_length=160)),
                ('photo_file_id', fields.CharField(null=True, max_length=256)),
                ('buttons', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('self_check_month', fields.CharField(null=True, max_length=7)),
                ('target', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharField(db_index=True, max_length=16)),
                ('scheduled_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('heartbeat_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('waiting_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('materialized', fields.BooleanField(default=False, db_default=False)),
                ('campaign_id', fields.IntField(null=True, db_index=True)),
                ('created_by', fields.ForeignKeyField('staff.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='broadcasts', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'broadcast', 'app': 'broadcasts', 'pk_attr': 'id', 'table_description': 'One message to many residents: texts per language, optional photo and buttons, a target.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('broadcast', fields.ForeignKeyField('broadcasts.Broadcast', source_field='broadcast_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='broadcast_deliveries', on_delete=OnDelete.CASCADE)),
                ('chat_id', fields.BigIntField()),
                ('language', fields.CharField(max_length=8)),
                ('state', fields.CharField(default='pending', max_length=8)),
                ('attempts', fields.SmallIntField(default=0)),
                ('lease_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('telegram_message_id', fields.BigIntField(null=True)),
                ('error', fields.CharField(default='', max_length=200)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'broadcast_delivery', 'app': 'broadcasts', 'unique_together': (('broadcast', 'resident'),), 'indexes': [Index(fields=['broadcast_id', 'state']), Index(fields=['broadcast_id', 'finished_at'])], 'pk_attr': 'id', 'table_description': 'One recipient of one broadcast: created when sending starts, claimed before each send.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EducationTheme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('month', fields.SmallIntField(unique=True)),
                ('titles', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('texts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('checks', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_by', fields.ForeignKeyField('staff.StaffUser', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name='education_themes', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'education_theme', 'app': 'broadcasts', 'pk_attr': 'id', 'table_description': 'An edited month of the education calendar (months without a row use the built-in default).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SelfCheckAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='self_check_answers', on_delete=OnDelete.CASCADE)),
                ('month_key', fields.CharField(db_index=True, max_length=7)),
                ('option', fields.CharField(max_length=32)),
                ('answered_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'self_check_answer', 'app': 'broadcasts', 'unique_together': (('resident', 'month_key'),), 'pk_attr': 'id', 'table_description': "A resident's one-tap answer to a month's safety self-check: one per resident per month."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Subscriber',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.OneToOneField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='subscriber', on_delete=OnDelete.CASCADE)),
                ('stopped', fields.BooleanField(default=False, db_index=True, db_default=False)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('radius_m', fields.IntField(null=True)),
                ('awaiting', fields.CharField(null=True, max_length=16)),
                ('awaiting_radius_m', fields.IntField(null=True)),
                ('awaiting_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'broadcast_subscriber', 'app': 'broadcasts', 'pk_attr': 'id', 'table_description': "A resident's broadcast preferences and the /subscribe conversation's state (never PTB memory)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TopicSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.ForeignKeyField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='topic_subscriptions', on_delete=OnDelete.CASCADE)),
                ('topic', fields.CharField(db_index=True, max_length=32)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'broadcast_topic_subscription', 'app': 'broadcasts', 'unique_together': (('resident', 'topic'),), 'pk_attr': 'id', 'table_description': 'A resident follows one safety topic (texts.Topic).'},
            bases=['Model'],
        ),
    ]

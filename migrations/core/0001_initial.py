from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='ProcessedUpdate',
            fields=[
                ('update_id', fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ('received_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'processed_update', 'app': 'core', 'pk_attr': 'update_id', 'table_description': 'Telegram update ids already handled: a redelivered update is dropped by the unique key.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Resident',
            fields=[
                ('id', fields.BigIntField(primary_key=True, unique=True, db_index=True)),
                ('chat_id', fields.BigIntField()),
                ('first_name', fields.CharField(default='', max_length=128)),
                ('username', fields.CharField(null=True, max_length=64)),
                ('language', fields.CharField(default='zh_CN', db_default='zh_CN', max_length=8)),
                ('language_chosen', fields.BooleanField(default=False, db_default=False)),
                ('blocked_bot', fields.BooleanField(default=False, db_default=False)),
                ('is_staff', fields.BooleanField(default=False, db_default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_seen_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'resident', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A Telegram user who talks to the bot.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Draft',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('resident', fields.OneToOneField('core.Resident', source_field='resident_id', db_constraint=True, to_field='id', related_name='draft', on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=24)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('location_source', fields.CharField(null=True, max_length=16)),
                ('proposed_lat', fields.FloatField(null=True)),
                ('proposed_lon', fields.FloatField(null=True)),
                ('category', fields.CharField(null=True, max_length=32)),
                ('description', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('touched_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'draft', 'app': 'core', 'pk_attr': 'id', 'table_description': 'The report being filed in a conversation: its `step` is the conversation state.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('reporter', fields.ForeignKeyField('core.Resident', source_field='reporter_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('status', fields.CharField(db_index=True, max_length=24)),
                ('category', fields.CharField(db_index=True, max_length=32)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('location_source', fields.CharField(max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('language', fields.CharField(max_length=8)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'report', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A submitted hazard report. `status` is written only by `lifecycle.transition`.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Photo',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('draft', fields.ForeignKeyField('core.Draft', source_field='draft_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.SET_NULL)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('owner', fields.ForeignKeyField('core.Resident', source_field='owner_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.CASCADE)),
                ('storage_key', fields.CharField(max_length=128)),
                ('thumbnail_key', fields.CharField(max_length=128)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('phash', fields.CharField(db_index=True, max_length=16)),
                ('width_px', fields.IntField()),
                ('height_px', fields.IntField()),
                ('exif_lat', fields.FloatField(null=True)),
                ('exif_lon', fields.FloatField(null=True)),
                ('exif_taken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('telegram_file_unique_id', fields.CharField(default='', max_length=64)),
                ('position', fields.SmallIntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'photo', 'app': 'core', 'pk_attr': 'id', 'table_description': 'A cleaned photo in storage, belonging to a draft while filing, then to its report.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='StatusChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='status_changes', on_delete=OnDelete.CASCADE)),
                ('from_status', fields.CharField(null=True, max_length=24)),
                ('to_status', fields.CharField(max_length=24)),
                ('actor', fields.CharField(max_length=64)),
                ('reason', fields.TextField(default='', unique=False)),
                ('public_note', fields.TextField(default='', unique=False)),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'status_change', 'app': 'core', 'pk_attr': 'id', 'table_description': 'One row per status change: who, when, why, and what the reporter is told.'},
            bases=['Model'],
        ),
    ]

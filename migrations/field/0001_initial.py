"""The field's tables: crew tasks and their questions, verifications, listed hazards and their progress, patrols."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0009_field_kernel'), ('staff', '0004_crew_agency')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CrewTask',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='crew_tasks', on_delete=OnDelete.CASCADE)),
                ('agency', fields.CharField(db_index=True, max_length=64)),
                ('dispatch_change_id', fields.IntField(unique=True)),
                ('dispatched_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('taken_by', fields.ForeignKeyField('staff.StaffUser', source_field='taken_by_id', null=True, db_constraint=True, to_field='id', related_name='crew_tasks', on_delete=OnDelete.SET_NULL)),
                ('taken_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('on_site_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('fixed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('after_photo', fields.ForeignKeyField('core.Photo', source_field='after_photo_id', null=True, db_constraint=True, to_field='id', related_name='after_of', on_delete=OnDelete.SET_NULL)),
                ('returned_reason', fields.TextField(null=True, unique=False)),
                ('closed_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('half_reminded_for', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('near_reminded_for', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'field_crew_task', 'app': 'field', 'pk_attr': 'id', 'table_description': 'One dispatch of a report to an agency, as its crew works it: taken, on site, fixed (or handed back).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CrewPrompt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('telegram_user_id', fields.BigIntField(unique=True)),
                ('staff', fields.ForeignKeyField('staff.StaffUser', source_field='staff_id', db_constraint=True, to_field='id', related_name='crew_prompts', on_delete=OnDelete.CASCADE)),
                ('task', fields.ForeignKeyField('field.CrewTask', source_field='task_id', db_constraint=True, to_field='id', related_name='prompts', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=16)),
                ('chat_id', fields.BigIntField()),
                ('message_id', fields.BigIntField(null=True)),
                ('until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('asked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'field_crew_prompt', 'app': 'field', 'pk_attr': 'id', 'table_description': 'A question the bot asked one crew member (why not ours, until when, the after photo), waiting for their'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Listing',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.OneToOneField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='listing', on_delete=OnDelete.CASCADE)),
                ('listed_by', fields.ForeignKeyField('staff.StaffUser', source_field='listed_by_id', null=True, db_constraint=True, to_field='id', related_name='listings', on_delete=OnDelete.SET_NULL)),
                ('listed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DateField()),
                ('note', fields.TextField(default='', unique=False)),
                ('closed_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('closed_by', fields.ForeignKeyField('staff.StaffUser', source_field='closed_by_id', null=True, db_constraint=True, to_field='id', related_name='closed_listings', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'field_listing', 'app': 'field', 'pk_attr': 'id', 'table_description': 'A major hazard an official listed for supervision (挂牌督办) until it is closed off (消号).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ListingProgress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('listing', fields.ForeignKeyField('field.Listing', source_field='listing_id', db_constraint=True, to_field='id', related_name='progress', on_delete=OnDelete.CASCADE)),
                ('week_start', fields.DateField()),
                ('note', fields.TextField(unique=False)),
                ('written_by', fields.ForeignKeyField('staff.StaffUser', source_field='written_by_id', null=True, db_constraint=True, to_field='id', related_name='listing_notes', on_delete=OnDelete.SET_NULL)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'field_listing_progress', 'app': 'field', 'unique_together': (('listing', 'week_start'),), 'pk_attr': 'id', 'table_description': "An official's weekly progress note on a listed hazard (public), one per week: the last word kept."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PatrolSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('telegram_user_id', fields.BigIntField(unique=True)),
                ('staff', fields.ForeignKeyField('staff.StaffUser', source_field='staff_id', db_constraint=True, to_field='id', related_name='patrols', on_delete=OnDelete.CASCADE)),
                ('step', fields.CharField(max_length=12)),
                ('photo', fields.ForeignKeyField('core.Photo', source_field='photo_id', null=True, db_constraint=True, to_field='id', related_name='patrol_sessions', on_delete=OnDelete.SET_NULL)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('filed', fields.IntField(default=0)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('touched_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'field_patrol_session', 'app': 'field', 'pk_attr': 'id', 'table_description': 'Grid staff in patrol mode: photo, location, category, filed, again. The step is the conversation state.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Verification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='verifications', on_delete=OnDelete.CASCADE)),
                ('fix_change_id', fields.IntField(unique=True)),
                ('task', fields.ForeignKeyField('field.CrewTask', source_field='task_id', null=True, db_constraint=True, to_field='id', related_name='verifications', on_delete=OnDelete.SET_NULL)),
                ('verifier', fields.ForeignKeyField('staff.StaffUser', source_field='verifier_id', null=True, db_constraint=True, to_field='id', related_name='verifications', on_delete=OnDelete.SET_NULL)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('outcome', fields.CharField(null=True, max_length=12)),
                ('decided_by', fields.CharField(null=True, max_length=64)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'field_verification', 'app': 'field', 'pk_attr': 'id', 'table_description': 'One fix of a report waiting for someone other than the crew to confirm it (or the window to pass).'},
            bases=['Model'],
        ),
    ]

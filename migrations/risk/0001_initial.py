"""Risk's tables: each cell's level, every level change, the risk rules' versions, the bulletins."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('staff', '0002_audit_event')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Bulletin',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=8)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('period_end', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'risk_bulletin', 'app': 'risk', 'unique_together': (('kind', 'period_start'),), 'pk_attr': 'id', 'table_description': 'One weekly or monthly bulletin, kept for the archive, one row per period (the job may run twice).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CellRisk',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cell', fields.CharField(unique=True, max_length=64)),
                ('district', fields.CharField(null=True, db_index=True, max_length=64)),
                ('level', fields.CharField(db_index=True, max_length=8)),
                ('score', fields.FloatField()),
                ('parts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('changed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'risk_cell', 'app': 'risk', 'pk_attr': 'id', 'table_description': "A cell's level as last computed. A cell with no row is blue with a score of 0."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LevelChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cell', fields.CharField(db_index=True, max_length=64)),
                ('district', fields.CharField(null=True, db_index=True, max_length=64)),
                ('from_level', fields.CharField(null=True, max_length=8)),
                ('to_level', fields.CharField(max_length=8)),
                ('score', fields.FloatField()),
                ('why', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actor', fields.CharField(max_length=64)),
                ('changed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'risk_level_change', 'app': 'risk', 'pk_attr': 'id', 'table_description': "One change of a cell's level: cell, from, to, why, when (the outbox event names its id)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='RiskRulesVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('text', fields.TextField(unique=False)),
                ('note', fields.CharField(default='', max_length=200)),
                ('created_by', fields.ForeignKeyField('staff.StaffUser', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='risk_rules', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'risk_rules_version', 'app': 'risk', 'pk_attr': 'id', 'table_description': 'A rules text saved from the admin editor: the newest wins over the configured file, and all are kept.'},
            bases=['Model'],
        ),
    ]

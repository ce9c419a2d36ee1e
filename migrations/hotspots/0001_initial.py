"""The hotspot feature's tables: inspections, warning proposals, import runs and their bad rows, forecast runs."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('core', '0007_city')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ForecastRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('period', fields.CharField(max_length=8)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('cells', fields.IntField()),
                ('events', fields.IntField()),
                ('params', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'hotspots_forecast_run', 'app': 'hotspots', 'unique_together': (('period', 'period_start'),), 'pk_attr': 'id', 'table_description': 'One computation of the cell forecasts for one period: when, from what, with which parameters.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportRun',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('file_name', fields.CharField(max_length=128)),
                ('path', fields.CharField(max_length=512)),
                ('sha256', fields.CharField(db_index=True, max_length=64)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('last_line', fields.IntField(default=0)),
                ('added', fields.IntField(default=0)),
                ('existing', fields.IntField(default=0)),
                ('bad', fields.IntField(default=0)),
                ('warnings', fields.IntField(default=0)),
                ('error', fields.CharField(default='', max_length=200)),
                ('started_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('progress_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hotspots_import_run', 'app': 'hotspots', 'pk_attr': 'id', 'table_description': 'One import of an events file: where it got to (resumable), and what it found.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ImportBadRow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('run', fields.ForeignKeyField('hotspots.ImportRun', source_field='run_id', db_constraint=True, to_field='id', related_name='bad_rows', on_delete=OnDelete.CASCADE)),
                ('line', fields.IntField()),
                ('reason', fields.CharField(max_length=32)),
                ('value', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'hotspots_import_bad_row', 'app': 'hotspots', 'pk_attr': 'id', 'table_description': 'A skipped row of an import (the first `importer.KEPT_BAD_ROWS` of a run are kept, all are counted).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Inspection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cell', fields.CharField(db_index=True, max_length=64)),
                ('period', fields.CharField(max_length=8)),
                ('period_start', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('rank', fields.IntField(null=True)),
                ('expected', fields.FloatField(null=True)),
                ('agency', fields.ForeignKeyField('core.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('due_on', fields.DateField()),
                ('note', fields.TextField(default='', unique=False)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('assigned_by', fields.CharField(max_length=64)),
                ('assigned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('result_note', fields.TextField(default='', unique=False)),
                ('result_by', fields.CharField(null=True, max_length=64)),
                ('result_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('incident', fields.ForeignKeyField('core.Incident', source_field='incident_id', null=True, db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'hotspots_inspection', 'app': 'hotspots', 'pk_attr': 'id', 'table_description': 'A cell sent to an agency for inspection, and what the inspection found.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WarningProposal',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('incident', fields.OneToOneField('core.Incident', source_field='incident_id', db_constraint=True, to_field='id', related_name='warning_proposal', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=24)),
                ('scope', fields.CharField(max_length=64)),
                ('scope_level', fields.CharField(max_length=16)),
                ('title', fields.CharField(max_length=128)),
                ('texts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('state', fields.CharField(db_index=True, max_length=16)),
                ('proposed_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('decided_by', fields.CharField(null=True, max_length=64)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'hotspots_warning_proposal', 'app': 'hotspots', 'pk_attr': 'id', 'table_description': 'The warning broadcast an incident calls for under the escalation rules: one per incident, ever.'},
            bases=['Model'],
        ),
    ]

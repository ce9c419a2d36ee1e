"""The city's shared tables (bot/city/models.py, bot/events.py): agencies move here from moderation (state
only: `agency` keeps its rows), incidents, cell forecasts, domain events; reports get a street, a cell and a source."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from migrations.moved import ModelMovedIn


class Migration(migrations.Migration):
    dependencies = [('core', '0006_state_history'), ('moderation', '0005_agency_moves_to_core')]

    initial = False

    operations = [
        ModelMovedIn(
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
            options={'table': 'agency', 'app': 'core', 'pk_attr': 'id', 'table_description': 'An agency or grid unit that fixes hazards of some categories in some areas.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CellForecast',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('cell', fields.CharField(db_index=True, max_length=64)),
                ('period', fields.CharField(max_length=8)),
                ('period_start', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('expected', fields.FloatField()),
                ('rank', fields.IntField()),
                ('parts', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('computed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'cell_forecast', 'app': 'core', 'unique_together': (('cell', 'period', 'period_start'),), 'pk_attr': 'id', 'table_description': "A cell's expected count of confirmed hazards and incidents for one coming period, and why."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='DomainEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=160)),
                ('kind', fields.CharField(db_index=True, max_length=48)),
                ('payload', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('actor', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reacted_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('react_claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'domain_event', 'app': 'core', 'pk_attr': 'id', 'table_description': 'One published fact, kept until every feature that reacts to its kind has.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EventReactionDone',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event', fields.ForeignKeyField('core.DomainEvent', source_field='event_id', db_constraint=True, to_field='id', related_name='reactions_done', on_delete=OnDelete.CASCADE)),
                ('reaction', fields.CharField(max_length=64)),
                ('done_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'event_reaction_done', 'app': 'core', 'unique_together': (('event', 'reaction'),), 'pk_attr': 'id', 'table_description': "One feature's reaction that has run for one event: running the event's job again skips it."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Incident',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=128)),
                ('source', fields.CharField(max_length=64)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('lat', fields.FloatField()),
                ('lon', fields.FloatField()),
                ('category', fields.CharField(db_index=True, max_length=64)),
                ('outcome', fields.CharField(default='open', max_length=16)),
                ('severity', fields.FloatField(null=True)),
                ('kind', fields.CharField(null=True, max_length=24)),
                ('description', fields.TextField(default='', unique=False)),
                ('area', fields.CharField(null=True, db_index=True, max_length=64)),
                ('street', fields.CharField(null=True, db_index=True, max_length=64)),
                ('cell', fields.CharField(null=True, db_index=True, max_length=64)),
                ('recorded_by', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'incident', 'app': 'core', 'pk_attr': 'id', 'table_description': 'Something that happened, recorded by another system (fire brigade, 110/119/12345, inspections) or'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Report',
            name='cell',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Report',
            name='street',
            field=fields.CharField(null=True, db_index=True, max_length=64),
        ),
        ops.AddField(
            model_name='Report',
            name='source',
            field=fields.CharField(default='telegram', db_default='telegram', db_index=True, max_length=16),
        ),
    ]

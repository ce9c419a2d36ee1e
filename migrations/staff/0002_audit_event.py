"""The audit log moves here from moderation (state only: `audit_event` keeps its rows)."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete

from migrations.moved import ModelMovedIn


class Migration(migrations.Migration):
    dependencies = [('staff', '0001_initial'), ('moderation', '0004_audit_moves_to_staff')]

    initial = False

    operations = [
        ModelMovedIn(
            name='AuditEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('actor', fields.CharField(db_index=True, max_length=64)),
                ('action', fields.CharField(db_index=True, max_length=48)),
                ('report', fields.ForeignKeyField('core.Report', source_field='report_id', null=True, db_constraint=True, to_field='id', related_name='audit_events', on_delete=OnDelete.SET_NULL)),
                ('data', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'audit_event', 'app': 'staff', 'pk_attr': 'id', 'table_description': 'One staff (or system) action: who did what to which report, with the details.'},
            bases=['Model'],
        ),
    ]

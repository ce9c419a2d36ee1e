"""Open data's tables: partner API keys (hashed) and which partner filed which report."""

import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('core', '0010_reporter_optional')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ApiKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(unique=True, max_length=64)),
                ('token_sha256', fields.CharField(unique=True, max_length=64)),
                ('token_prefix', fields.CharField(max_length=8)),
                ('rate_per_min', fields.IntField(default=60)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_by', fields.CharField(max_length=64)),
                ('revoked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.CharField(null=True, max_length=64)),
                ('last_used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'opendata_api_key', 'app': 'opendata', 'pk_attr': 'id', 'table_description': "A partner system's key to file reports (a city hotline, a mini-program). Only its SHA-256 is kept."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PartnerRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.OneToOneField('core.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='partner_request', on_delete=OnDelete.CASCADE)),
                ('api_key', fields.ForeignKeyField('opendata.ApiKey', source_field='api_key_id', db_constraint=True, to_field='id', related_name='requests', on_delete=OnDelete.RESTRICT)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('account_id', fields.CharField(default='', max_length=128)),
                ('address_string', fields.CharField(default='', max_length=400)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('media_url', fields.TextField(default='')),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'opendata_partner_request', 'app': 'opendata', 'pk_attr': 'id', 'table_description': 'The partner side of a report filed through the Open311 API: which key, its token, what it sent besides.'},
            bases=['Model'],
        ),
    ]

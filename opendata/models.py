"""Open data's own tables: partner systems' API keys, and which partner filed which report."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from bot.reports.models import Report


class ApiKey(Model):
    """A partner system's key to file reports (a city hotline, a mini-program). Only its SHA-256 is kept."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)  # shown in the audit log and the exports
    token_sha256 = fields.CharField(max_length=64, unique=True)
    token_prefix = fields.CharField(max_length=8)  # the token's first characters, to tell keys apart
    rate_per_min = fields.IntField(default=60)  # POSTs per minute, shared by every web process
    created_at = fields.DatetimeField()
    created_by = fields.CharField(max_length=64)
    revoked_at = fields.DatetimeField(null=True)
    revoked_by = fields.CharField(max_length=64, null=True)
    last_used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "opendata_api_key"


class PartnerRequest(Model):
    """The partner side of a report filed through the Open311 API: which key, its token, what it sent besides."""

    id = fields.IntField(primary_key=True)
    report: fields.OneToOneRelation[Report] = fields.OneToOneField(
        "core.Report", related_name="partner_request", on_delete=fields.CASCADE
    )
    api_key: fields.ForeignKeyRelation[ApiKey] = fields.ForeignKeyField(
        "opendata.ApiKey", related_name="requests", on_delete=fields.RESTRICT
    )
    #: The partner's own reference for the request (or one we made up): a retried POST with the same token files
    #: nothing new, and GET tokens/{token} finds the request.
    token = fields.CharField(max_length=64, unique=True)
    account_id = fields.CharField(max_length=128, default="")  # the partner's id for the person (not personal data)
    address_string = fields.CharField(max_length=400, default="")  # shown to the partner and to staff only
    attributes: dict[str, Any] = fields.JSONField(default=dict)  # answers to the service definition's questions
    media_url = fields.TextField(default="")  # where the partner's photo came from
    created_at = fields.DatetimeField(db_index=True)

    report_id: int  # FK column attributes, declared for the type checker only
    api_key_id: int

    class Meta:
        table = "opendata_partner_request"

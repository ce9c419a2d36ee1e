"""The city's shared tables: agencies, incidents from other systems, and each cell's forecast.

They belong to the kernel because several features meet on them: moderation dispatches to agencies and
field crews work for them; risk levels count incidents and read forecasts, which the hotspot feature
writes; open data names the agency responsible.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Agency(Model):
    """An agency or grid unit that fixes hazards of some categories in some areas."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True)  # stored on Report.agency
    name = fields.CharField(max_length=128)
    name_zh = fields.CharField(max_length=128, default="")
    categories: list[str] = fields.JSONField(default=list)  # category keys it handles; empty = every category
    areas: list[str] = fields.JSONField(default=list)  # area keys it covers; empty = every area
    telegram_chat_id = fields.BigIntField(null=True)  # the agency's group: each report dispatched to it goes there
    supervisor_chat_id = fields.BigIntField(null=True)  # its supervisor: told when one of its reports is overdue
    active = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "agency"
        app = "core"

    def label(self, locale: str) -> str:
        return self.name_zh if locale == "zh_CN" and self.name_zh else self.name


class Incident(Model):
    """Something that happened, recorded by another system (fire brigade, 110/119/12345, inspections) or
    by an official: kept apart from residents' reports, placed on the same grid."""

    id = fields.IntField(primary_key=True)
    event_id = fields.CharField(max_length=128, unique=True)  # the source's id: importing twice adds nothing
    source = fields.CharField(max_length=64)  # "import:<file name>", "admin", "inspection"
    occurred_at = fields.DatetimeField(db_index=True)
    lat = fields.FloatField()
    lon = fields.FloatField()
    category = fields.CharField(max_length=64, db_index=True)  # the source's type
    outcome = fields.CharField(max_length=16, default="open")  # "confirmed", "duplicate", "open", ...
    severity = fields.FloatField(null=True)
    kind = fields.CharField(max_length=24, null=True)  # an escalation kind: "fire_alarm", "fire", "casualty"
    description = fields.TextField(default="")
    area = fields.CharField(max_length=64, null=True, db_index=True)
    street = fields.CharField(max_length=64, null=True, db_index=True)
    cell = fields.CharField(max_length=64, null=True, db_index=True)
    recorded_by = fields.CharField(max_length=64)  # "staff:<id>", "system:<command>"
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "incident"
        app = "core"


class CellForecast(Model):
    """A cell's expected count of confirmed hazards and incidents for one coming period, and why."""

    id = fields.IntField(primary_key=True)
    cell = fields.CharField(max_length=64, db_index=True)
    period = fields.CharField(max_length=8)  # "week" or "month"
    period_start = fields.DatetimeField(db_index=True)
    expected = fields.FloatField()
    rank = fields.IntField()  # 1 = the cell to inspect first in this period
    parts: dict[str, Any] = fields.JSONField(default=dict)  # the forecast's named parts, shown as "why"
    computed_at = fields.DatetimeField()

    class Meta:
        table = "cell_forecast"
        app = "core"
        unique_together = (("cell", "period", "period_start"),)

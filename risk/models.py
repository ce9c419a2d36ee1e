"""Risk's tables: each cell's current level, every level change, the rules' versions, the bulletins."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported at runtime, tortoise would register it in this app too
    from bot.admin.models import StaffUser


class CellRisk(Model):
    """A cell's level as last computed. A cell with no row is blue with a score of 0."""

    id = fields.IntField(primary_key=True)
    cell = fields.CharField(max_length=64, unique=True)
    district = fields.CharField(max_length=64, null=True, db_index=True)  # what moderators are scoped to
    level = fields.CharField(max_length=8, db_index=True)  # risk.levels.RiskLevel
    score = fields.FloatField()
    parts: dict[str, Any] = fields.JSONField(default=dict)  # CellScore.why(): the score's parts, a forcing rule
    computed_at = fields.DatetimeField()
    changed_at = fields.DatetimeField(null=True)  # when the level last changed

    class Meta:
        table = "risk_cell"


class LevelChange(Model):
    """One change of a cell's level: cell, from, to, why, when (the outbox event names its id)."""

    id = fields.IntField(primary_key=True)
    cell = fields.CharField(max_length=64, db_index=True)
    district = fields.CharField(max_length=64, null=True, db_index=True)
    from_level = fields.CharField(max_length=8, null=True)  # None: the cell had no level yet (blue)
    to_level = fields.CharField(max_length=8)
    score = fields.FloatField()
    why: dict[str, Any] = fields.JSONField(default=dict)  # CellScore.why()
    actor = fields.CharField(max_length=64)  # "system:risk.recompute", "system:risk.nightly"
    changed_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "risk_level_change"
        ordering = ("changed_at", "id")


class RiskRulesVersion(Model):
    """A rules text saved from the admin editor: the newest wins over the configured file, and all are kept."""

    id = fields.IntField(primary_key=True)
    text = fields.TextField()
    note = fields.CharField(max_length=200, default="")  # what the admin changed and why
    created_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="risk_rules", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField()

    created_by_id: int | None

    class Meta:
        table = "risk_rules_version"


class Bulletin(Model):
    """One weekly or monthly bulletin, kept for the archive, one row per period (the job may run twice)."""

    id = fields.IntField(primary_key=True)
    kind = fields.CharField(max_length=8)  # "week" or "month"
    period_start = fields.DatetimeField()  # local midnight of the first day, stored in UTC
    period_end = fields.DatetimeField()  # exclusive
    data: dict[str, Any] = fields.JSONField(default=dict)  # risk.bulletin.BulletinData as JSON: keys and counts
    created_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)

    class Meta:
        table = "risk_bulletin"
        unique_together = (("kind", "period_start"),)

"""Staff accounts (argon2 hashes; roles scoped to areas and categories) and the audit log of their actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported at runtime, tortoise would register it in this app too
    from bot.reports.models import Report


class StaffUser(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=16)  # moderator < official < admin; crew and grid staff act in Telegram
    display_name = fields.CharField(max_length=128, default="")
    areas: list[str] = fields.JSONField(default=list)  # area keys a moderator handles; empty = every area
    categories: list[str] = fields.JSONField(default=list)  # category keys; empty = every category
    language = fields.CharField(max_length=8, default="zh_CN", db_default="zh_CN")
    telegram_user_id = fields.BigIntField(null=True)  # links a staff member to their resident account
    agency = fields.CharField(max_length=64, null=True)  # crew only: the key of the agency they work for
    active = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_user"


class AuditEvent(Model):
    """One staff (or system) action: who did what to which report, with the details."""

    id = fields.IntField(primary_key=True)
    actor = fields.CharField(max_length=64, db_index=True)  # "staff:<id>", "system:<job>", "resident:<id>"
    action = fields.CharField(max_length=48, db_index=True)  # audit.EventTag
    report: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="audit_events", null=True, on_delete=fields.SET_NULL
    )
    data: dict[str, Any] = fields.JSONField(default=dict)

    report_id: int | None  # FK column attribute, declared for the type checker only
    created_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "audit_event"


class StaffSession(Model):
    """A logged-in browser, named by the hash of the random token its session cookie carries.

    Deleting the row (logout, deactivation, idle expiry) ends the session at once, whatever the cookie says.
    """

    id = fields.IntField(primary_key=True)
    token_hash = fields.CharField(max_length=64, unique=True)  # sha256 hex of the cookie's token
    staff: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="sessions", on_delete=fields.CASCADE
    )
    staff_id: int  # FK column attribute, declared for the type checker only
    created_at = fields.DatetimeField()
    last_seen_at = fields.DatetimeField()

    class Meta:
        table = "staff_session"


class LoginStreak(Model):
    """Login attempts of one username from one client address: the login throttle, shared by every process.

    Counted before the password is checked; `next_allowed_at` moves out as attempts pile up."""

    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64)
    address = fields.CharField(max_length=45)  # an IPv4 or IPv6 address as text
    attempts = fields.IntField()
    next_allowed_at = fields.DatetimeField(db_index=True)

    class Meta:
        table = "login_streak"
        unique_together = (("username", "address"),)

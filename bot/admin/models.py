"""Staff accounts (argon2 hashes; roles scoped to areas and categories)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class StaffUser(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharField(max_length=16)  # moderator < official < admin
    display_name = fields.CharField(max_length=128, default="")
    areas: list[str] = fields.JSONField(default=list)  # area keys a moderator handles; empty = every area
    categories: list[str] = fields.JSONField(default=list)  # category keys; empty = every category
    language = fields.CharField(max_length=8, default="zh_CN", db_default="zh_CN")
    telegram_user_id = fields.BigIntField(null=True)  # links a staff member to their resident account
    active = fields.BooleanField(default=True, db_default=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "staff_user"

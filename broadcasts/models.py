"""Broadcast persistence: letters and their per-recipient deliveries, subscriptions, the education calendar."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported at runtime, tortoise would register them in this app too
    from bot.admin.models import StaffUser
    from bot.reports.models import Resident


class BroadcastStatus(StrEnum):
    DRAFT = "draft"  #: being composed, can be edited and previewed
    SCHEDULED = "scheduled"  #: waiting for `scheduled_at`
    RUNNING = "running"  #: deliveries exist and are being sent (or wait for quiet hours to end)
    PAUSED = "paused"  #: stopped by an official, resumable
    CANCELLED = "cancelled"  #: stopped for good, pending deliveries are never sent
    DONE = "done"  #: every delivery reached a final state


class DeliveryState(StrEnum):
    PENDING = "pending"  #: not tried yet (or Telegram said "retry after" and nothing went out)
    SENDING = "sending"  #: claimed by a worker, the request may be in flight (see delivery.py)
    SENT = "sent"
    BLOCKED = "blocked"  #: 403: the resident blocked the bot
    FAILED = "failed"  #: 400, retries exhausted, or in doubt after a crash (never re-sent)


FINAL_STATES = (DeliveryState.SENT, DeliveryState.BLOCKED, DeliveryState.FAILED)


class Broadcast(Model):
    """One message to many residents: texts per language, optional photo and buttons, a target."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=64, unique=True, null=True)  # deterministic for system ones: edu-day:2026-12
    title = fields.CharField(max_length=128)  # the officials' label, never sent
    texts: dict[str, str] = fields.JSONField(default=dict)  # locale -> text
    photo_key = fields.CharField(max_length=160, null=True)  # bot.storage key of the cleaned JPEG
    photo_file_id = fields.CharField(max_length=256, null=True)  # Telegram's id after the first upload
    buttons: list[dict[str, Any]] = fields.JSONField(default=list)  # see message.Button.from_json
    self_check_month = fields.CharField(max_length=7, null=True)  # "2026-12": carries that month's self-check
    target: dict[str, Any] = fields.JSONField(default=dict)  # targeting.Target.to_json
    status = fields.CharField(max_length=16, db_index=True)
    scheduled_at = fields.DatetimeField(null=True, db_index=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    heartbeat_at = fields.DatetimeField(null=True)  # the last time a worker made progress on it
    waiting_until = fields.DatetimeField(null=True)  # quiet hours: sending resumes at this time
    #: Sent during quiet hours too: an official's choice (audited) or an urgent `broadcast.requested` warning.
    urgent = fields.BooleanField(default=False, db_default=False)
    materialized = fields.BooleanField(default=False, db_default=False)  # every delivery row exists
    campaign_id = fields.IntField(null=True, db_index=True)  # rewards.Campaign id (rewards owns campaigns)
    created_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="broadcasts", null=True, on_delete=fields.SET_NULL
    )
    created_by_id: int | None  # the FK's column attribute, declared for the type checker only
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField(auto_now=True)

    deliveries: fields.ReverseRelation[Delivery]

    class Meta:
        table = "broadcast"


class Delivery(Model):
    """One recipient of one broadcast: created when sending starts, claimed before each send."""

    id = fields.IntField(primary_key=True)
    broadcast: fields.ForeignKeyRelation[Broadcast] = fields.ForeignKeyField(
        "broadcasts.Broadcast", related_name="deliveries", on_delete=fields.CASCADE
    )
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="broadcast_deliveries", on_delete=fields.CASCADE
    )
    broadcast_id: int  # FK column attributes, declared for the type checker only
    resident_id: int
    chat_id = fields.BigIntField()
    language = fields.CharField(max_length=8)
    state = fields.CharField(max_length=8, default=DeliveryState.PENDING.value)
    attempts = fields.SmallIntField(default=0)  # requests made for it (429 answers included)
    lease_until = fields.DatetimeField(null=True)  # while SENDING: after this the claim is considered dead
    telegram_message_id = fields.BigIntField(null=True)
    error = fields.CharField(max_length=200, default="")
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "broadcast_delivery"
        unique_together = (("broadcast", "resident"),)
        indexes = (("broadcast_id", "state"), ("broadcast_id", "finished_at"))


class Subscriber(Model):
    """A resident's broadcast preferences and the /subscribe conversation's state (never PTB memory)."""

    id = fields.IntField(primary_key=True)
    resident: fields.OneToOneRelation[Resident] = fields.OneToOneField(
        "core.Resident", related_name="subscriber", on_delete=fields.CASCADE
    )
    resident_id: int  # the FK's column attribute, declared for the type checker only
    stopped = fields.BooleanField(default=False, db_default=False, db_index=True)  # /stop: no broadcasts at all
    lat = fields.FloatField(null=True)  # the location shared in /subscribe: the resident's place for targeting
    lon = fields.FloatField(null=True)
    radius_m = fields.IntField(null=True)  # 0: subscribed to the area containing lat/lon, >0: to a circle
    # The place's units on the city's grid (bot.city.grid), for warnings to a cell, street or district; placed
    # when the place is shared, and again before each such warning (the grid may have changed since).
    area = fields.CharField(max_length=64, null=True, db_index=True)
    street = fields.CharField(max_length=64, null=True, db_index=True)
    cell = fields.CharField(max_length=64, null=True, db_index=True)
    awaiting = fields.CharField(max_length=16, null=True)  # subscriptions.Awaiting: waiting for a location
    awaiting_radius_m = fields.IntField(null=True)
    awaiting_since = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "broadcast_subscriber"


class AreaSubscription(Model):
    """A resident follows one area (a district / grid cell key of bot.reports.areas)."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="area_subscriptions", on_delete=fields.CASCADE
    )
    area_key = fields.CharField(max_length=64, db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "broadcast_area_subscription"
        unique_together = (("resident", "area_key"),)


class TopicSubscription(Model):
    """A resident follows one safety topic (texts.Topic)."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="topic_subscriptions", on_delete=fields.CASCADE
    )
    topic = fields.CharField(max_length=32, db_index=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "broadcast_topic_subscription"
        unique_together = (("resident", "topic"),)


class EducationTheme(Model):
    """An edited month of the education calendar (months without a row use the built-in default)."""

    id = fields.IntField(primary_key=True)
    month = fields.SmallIntField(unique=True)  # 1..12
    titles: dict[str, str] = fields.JSONField(default=dict)  # locale -> title
    texts: dict[str, str] = fields.JSONField(default=dict)  # locale -> message
    checks: list[dict[str, Any]] = fields.JSONField(default=list)  # [{"key": "smoke_alarm", "labels": {locale: label}}]
    updated_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="education_themes", null=True, on_delete=fields.SET_NULL
    )
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "education_theme"


class SelfCheckAnswer(Model):
    """A resident's one-tap answer to a month's safety self-check: one per resident per month."""

    id = fields.IntField(primary_key=True)
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="self_check_answers", on_delete=fields.CASCADE
    )
    month_key = fields.CharField(max_length=7, db_index=True)  # "2026-12"
    option = fields.CharField(max_length=32)
    answered_at = fields.DatetimeField()

    class Meta:
        table = "self_check_answer"
        unique_together = (("resident", "month_key"),)

"""The field's own tables: a crew's work on a dispatched report, its pending questions, the verification of a
fix, listed hazards and their weekly progress, and grid staff's patrol sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported at runtime, tortoise would register them in this app too
    from bot.admin.models import StaffUser
    from bot.reports.models import Photo, Report


class CrewTask(Model):
    """One dispatch of a report to an agency, as its crew works it: taken, on site, fixed (or handed back)."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="crew_tasks", on_delete=fields.CASCADE
    )
    agency = fields.CharField(max_length=64, db_index=True)
    dispatch_change_id = fields.IntField(unique=True)  # the StatusChange that dispatched it: one task per dispatch
    dispatched_at = fields.DatetimeField()
    taken_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="crew_tasks", null=True, on_delete=fields.SET_NULL
    )
    taken_at = fields.DatetimeField(null=True)
    on_site_at = fields.DatetimeField(null=True)
    fixed_at = fields.DatetimeField(null=True)
    after_photo: fields.ForeignKeyNullableRelation[Photo] = fields.ForeignKeyField(
        "core.Photo", related_name="after_of", null=True, on_delete=fields.SET_NULL
    )
    returned_reason = fields.TextField(null=True)  # "not ours": why, in the crew's words or a template msgid
    closed_at = fields.DatetimeField(null=True, db_index=True)  # fixed, handed back, or the report moved on
    # The deadline each reminder was queued for: an extension (a new deadline) earns new reminders.
    half_reminded_for = fields.DatetimeField(null=True)
    near_reminded_for = fields.DatetimeField(null=True)

    report_id: int  # FK column attributes, declared for the type checker only
    taken_by_id: int | None
    after_photo_id: int | None

    class Meta:
        table = "field_crew_task"


class CrewPrompt(Model):
    """A question the bot asked one crew member (why not ours, until when, the after photo), waiting for their
    typed answer or photo; one per person, a newer question replaces it."""

    id = fields.IntField(primary_key=True)
    telegram_user_id = fields.BigIntField(unique=True)
    staff: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="crew_prompts", on_delete=fields.CASCADE
    )
    task: fields.ForeignKeyRelation[CrewTask] = fields.ForeignKeyField(
        "field.CrewTask", related_name="prompts", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=16)  # crews.PromptKind
    chat_id = fields.BigIntField()  # where it was asked: their private chat or the agency's group
    message_id = fields.BigIntField(null=True)  # in a group, the answer must reply to this message
    until = fields.DatetimeField(null=True)  # "need more time": the chosen deadline, once given
    asked_at = fields.DatetimeField()

    staff_id: int  # FK column attributes, declared for the type checker only
    task_id: int

    class Meta:
        table = "field_crew_prompt"


class Verification(Model):
    """One fix of a report waiting for someone other than the crew to confirm it (or the window to pass)."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="verifications", on_delete=fields.CASCADE
    )
    fix_change_id = fields.IntField(unique=True)  # the StatusChange to `fixed` it is about
    task: fields.ForeignKeyNullableRelation[CrewTask] = fields.ForeignKeyField(
        "field.CrewTask", related_name="verifications", null=True, on_delete=fields.SET_NULL
    )
    verifier: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="verifications", null=True, on_delete=fields.SET_NULL
    )  # the grid-staff member asked to check on site, if the category wants one
    opened_at = fields.DatetimeField()
    closes_at = fields.DatetimeField(db_index=True)  # with no objection by then, verified
    outcome = fields.CharField(max_length=12, null=True)  # verification.Outcome; None while open
    decided_by = fields.CharField(max_length=64, null=True)
    decided_at = fields.DatetimeField(null=True)

    report_id: int  # FK column attributes, declared for the type checker only
    task_id: int | None
    verifier_id: int | None

    class Meta:
        table = "field_verification"


class Listing(Model):
    """A major hazard an official listed for supervision (挂牌督办) until it is closed off (消号)."""

    id = fields.IntField(primary_key=True)
    report: fields.OneToOneRelation[Report] = fields.OneToOneField(
        "core.Report", related_name="listing", on_delete=fields.CASCADE
    )
    listed_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="listings", null=True, on_delete=fields.SET_NULL
    )
    listed_at = fields.DatetimeField()
    deadline = fields.DateField()  # the date it must be put right by (local)
    note = fields.TextField(default="")  # public: shown on the status page
    closed_at = fields.DatetimeField(null=True, db_index=True)  # closed off
    closed_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="closed_listings", null=True, on_delete=fields.SET_NULL
    )

    report_id: int  # FK column attributes, declared for the type checker only
    listed_by_id: int | None
    closed_by_id: int | None

    class Meta:
        table = "field_listing"


class ListingProgress(Model):
    """An official's weekly progress note on a listed hazard (public), one per week: the last word kept."""

    id = fields.IntField(primary_key=True)
    listing: fields.ForeignKeyRelation[Listing] = fields.ForeignKeyField(
        "field.Listing", related_name="progress", on_delete=fields.CASCADE
    )
    week_start = fields.DateField()  # the local Monday of the week it reports on
    note = fields.TextField()
    written_by: fields.ForeignKeyNullableRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="listing_notes", null=True, on_delete=fields.SET_NULL
    )
    written_at = fields.DatetimeField()

    listing_id: int  # FK column attribute, declared for the type checker only

    class Meta:
        table = "field_listing_progress"
        unique_together = (("listing", "week_start"),)


class PatrolSession(Model):
    """Grid staff in patrol mode: photo, location, category, filed, again. The step is the conversation state."""

    id = fields.IntField(primary_key=True)
    telegram_user_id = fields.BigIntField(unique=True)  # also their resident id
    staff: fields.ForeignKeyRelation[StaffUser] = fields.ForeignKeyField(
        "staff.StaffUser", related_name="patrols", on_delete=fields.CASCADE
    )
    step = fields.CharField(max_length=12)  # patrol.Step
    photo: fields.ForeignKeyNullableRelation[Photo] = fields.ForeignKeyField(
        "core.Photo", related_name="patrol_sessions", null=True, on_delete=fields.SET_NULL
    )  # the hazard being filed: stored, not on a report yet
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    filed = fields.IntField(default=0)  # hazards filed in this session
    started_at = fields.DatetimeField()
    touched_at = fields.DatetimeField()

    staff_id: int  # FK column attributes, declared for the type checker only
    photo_id: int | None

    class Meta:
        table = "field_patrol_session"

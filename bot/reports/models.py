"""Persistent kernel models: every piece of a conversation lives here, never in process memory."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Resident(Model):
    """A Telegram user who talks to the bot."""

    id = fields.BigIntField(primary_key=True, generated=False)  # the Telegram user id
    chat_id = fields.BigIntField()
    first_name = fields.CharField(max_length=128, default="")
    username = fields.CharField(max_length=64, null=True)
    language = fields.CharField(max_length=8, default="zh_CN", db_default="zh_CN")
    language_chosen = fields.BooleanField(default=False, db_default=False)  # /language overrides the client's
    blocked_bot = fields.BooleanField(default=False, db_default=False)  # Telegram answered 403
    is_staff = fields.BooleanField(default=False, db_default=False)
    # Which features' exchanges wait for this resident's answer ("rewards.claim,broadcasts.location"; None:
    # none). Loaded with the resident, so a feature skips its own lookup for everyone else (residents.awaits).
    awaiting = fields.CharField(max_length=128, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_seen_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "resident"


class Draft(Model):
    """The report being filed in a conversation: its `step` is the conversation state."""

    id = fields.IntField(primary_key=True)
    resident: fields.OneToOneRelation[Resident] = fields.OneToOneField(
        "core.Resident", related_name="draft", on_delete=fields.CASCADE
    )
    step = fields.CharField(max_length=24)
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    location_source = fields.CharField(max_length=16, null=True)  # "shared", "venue", "typed", "exif"
    proposed_lat = fields.FloatField(null=True)  # from a photo's EXIF, awaiting the resident's yes
    proposed_lon = fields.FloatField(null=True)
    category = fields.CharField(max_length=32, null=True)
    description = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    touched_at = fields.DatetimeField(db_index=True)  # last resident activity, drives the expiry
    photo_count = fields.SmallIntField(default=0, db_default=0)  # kept with the draft: no COUNT per step
    phashes = fields.TextField(default="", db_default="")  # its photos' pHashes, comma-separated: no re-reading
    # The update that last changed the draft: its version (a write checks it) and what makes a replayed
    # update (redelivered, or fed again after a crash) answer without changing anything twice.
    last_update_id = fields.BigIntField(null=True)

    resident_id: int  # the FK's column attribute, declared for the type checker only
    photos: fields.ReverseRelation[Photo]

    class Meta:
        table = "draft"


class Report(Model):
    """A submitted hazard report. `status` is written only by `lifecycle.transition`."""

    id = fields.IntField(primary_key=True)
    #: The resident who filed it; None when a partner system filed it through the open API (`source` "open311"),
    #: so no DM, follow-up question or reward can reach anyone: every reader of `reporter_id` handles None.
    reporter: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="reports", null=True, on_delete=fields.RESTRICT
    )
    status = fields.CharField(max_length=24, db_index=True)
    category = fields.CharField(max_length=32, db_index=True)
    lat = fields.FloatField()
    lon = fields.FloatField()
    location_source = fields.CharField(max_length=16)
    description = fields.TextField(default="")
    original_description = fields.TextField(null=True)  # kept when a moderator edits the text
    language = fields.CharField(max_length=8)
    #: Who filed it: "telegram" (a resident in the bot), "patrol" (grid staff on patrol), "open311" (a partner
    #: system through the open API; the open-data feature records which one).
    source = fields.CharField(max_length=16, default="telegram", db_default="telegram", db_index=True)
    # Where it is on the city's grid (bot/city/grid.py): district, street / town, cell; set on intake.
    area = fields.CharField(max_length=64, null=True, db_index=True)  # the district key
    street = fields.CharField(max_length=64, null=True, db_index=True)
    cell = fields.CharField(max_length=64, null=True, db_index=True)
    agency = fields.CharField(max_length=64, null=True, db_index=True)  # the unit it is dispatched to
    severity = fields.CharField(max_length=16, null=True)  # set by the moderator on acceptance
    verified = fields.BooleanField(default=False, db_default=False)  # a moderator/agency confirmed it
    duplicate_of: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="duplicates", null=True, on_delete=fields.SET_NULL
    )
    reopen_count = fields.SmallIntField(default=0, db_default=0)
    moderation_due_at = fields.DatetimeField(null=True, db_index=True)
    resolution_due_at = fields.DatetimeField(null=True, db_index=True)
    overdue = fields.BooleanField(default=False, db_default=False, db_index=True)
    fixed_at = fields.DatetimeField(null=True)
    verified_fixed_at = fields.DatetimeField(null=True)  # someone other than the crew confirmed the fix
    # The resident's "Submit" tap that filed it: a replay of that update finds the report instead of filing.
    source_update_id = fields.BigIntField(null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    reporter_id: int | None  # the FK's column attribute, declared for the type checker only
    duplicate_of_id: int | None
    photos: fields.ReverseRelation[Photo]
    status_changes: fields.ReverseRelation[StatusChange]
    followers: fields.ReverseRelation[ReportFollower]
    due_extensions: fields.ReverseRelation[DueExtension]
    duplicate_flags: fields.ReverseRelation[DuplicateFlag]
    similar_flags: fields.ReverseRelation[DuplicateFlag]

    class Meta:
        table = "report"


class Photo(Model):
    """A cleaned photo in storage, belonging to a draft while filing, then to its report."""

    id = fields.IntField(primary_key=True)
    draft: fields.ForeignKeyNullableRelation[Draft] = fields.ForeignKeyField(
        "core.Draft", related_name="photos", null=True, on_delete=fields.SET_NULL
    )
    report: fields.ForeignKeyNullableRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="photos", null=True, on_delete=fields.CASCADE
    )
    #: The resident who sent it; None for a photo a partner system sent with its report.
    owner: fields.ForeignKeyNullableRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="photos", null=True, on_delete=fields.CASCADE
    )
    storage_key = fields.CharField(max_length=128)
    thumbnail_key = fields.CharField(max_length=128)
    sha256 = fields.CharField(max_length=64, db_index=True)  # of the bytes the resident sent
    phash = fields.CharField(max_length=16, db_index=True)  # 64-bit perceptual hash, hex
    width_px = fields.IntField()
    height_px = fields.IntField()
    exif_lat = fields.FloatField(null=True)
    exif_lon = fields.FloatField(null=True)
    exif_taken_at = fields.DatetimeField(null=True)
    telegram_file_unique_id = fields.CharField(max_length=64, default="")  # never the file URL (token)
    position = fields.SmallIntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    report_id: int | None  # FK column attributes, declared for the type checker only
    owner_id: int | None

    class Meta:
        table = "photo"


class StatusChange(Model):
    """One row per status change: who, when, why, and what the reporter is told."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="status_changes", on_delete=fields.CASCADE
    )
    from_status = fields.CharField(max_length=24, null=True)
    to_status = fields.CharField(max_length=24)
    actor = fields.CharField(max_length=64)  # "resident:<id>", "staff:<id>", "system:<job>"
    reason = fields.TextField(default="")
    public_note = fields.TextField(default="")
    changed_at = fields.DatetimeField()
    # The outbox (bot/reports/outbox.py): set once every feature's reaction to this change is done.
    reacted_at = fields.DatetimeField(null=True, db_index=True)
    # A relay handed the change to a reaction job until then; after it, another relay may try again.
    react_claimed_until = fields.DatetimeField(null=True)

    report_id: int  # the FK's column attribute, declared for the type checker only

    class Meta:
        table = "status_change"
        ordering = ("changed_at", "id")


class DueExtension(Model):
    """A later resolution deadline the agency asked for (bot/reports/deadlines.py): who, when, why, from and to.

    Kept for officials: an extension counts against the SLA, so the original due time is never lost."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="due_extensions", on_delete=fields.CASCADE
    )
    from_due_at = fields.DatetimeField()
    to_due_at = fields.DatetimeField()
    actor = fields.CharField(max_length=64)  # "staff:<id>"
    reason = fields.TextField()
    created_at = fields.DatetimeField()

    report_id: int  # the FK's column attribute, declared for the type checker only

    class Meta:
        table = "due_extension"
        ordering = ("created_at", "id")


class ReactionDone(Model):
    """One feature reaction that has run for one status change: running the change's job again skips it."""

    id = fields.IntField(primary_key=True)
    change: fields.ForeignKeyRelation[StatusChange] = fields.ForeignKeyField(
        "core.StatusChange", related_name="reactions_done", on_delete=fields.CASCADE
    )
    reaction = fields.CharField(max_length=64)  # features.Reaction.name
    done_at = fields.DatetimeField()

    change_id: int  # the FK's column attribute, declared for the type checker only

    class Meta:
        table = "reaction_done"
        unique_together = (("change", "reaction"),)


class SentMessage(Model):
    """A message nobody asked for (a status DM, a reminder) claimed under a deterministic key before it is
    sent, so that a job or a reaction that runs twice never sends it twice (bot/outbound.py)."""

    key = fields.CharField(max_length=128, primary_key=True)
    chat_id = fields.BigIntField()
    claimed_at = fields.DatetimeField()

    class Meta:
        table = "sent_message"


class ReportFollower(Model):
    """A resident who said "me too": counted as support and told about every public change."""

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="followers", on_delete=fields.CASCADE
    )
    resident: fields.ForeignKeyRelation[Resident] = fields.ForeignKeyField(
        "core.Resident", related_name="following", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "report_follower"
        unique_together = (("report", "resident"),)


class DuplicateFlag(Model):
    """A likely duplicate found at intake (a near-identical photo nearby), for a moderator to judge.

    Only a flag: the report stays a report until a moderator merges it or clears the doubt.
    """

    id = fields.IntField(primary_key=True)
    report: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="duplicate_flags", on_delete=fields.CASCADE
    )
    similar_to: fields.ForeignKeyRelation[Report] = fields.ForeignKeyField(
        "core.Report", related_name="similar_flags", on_delete=fields.CASCADE
    )
    kind = fields.CharField(max_length=24)  # dedup.FlagKind: "photo" or "same_reporter_photo"
    phash_distance = fields.SmallIntField()  # Hamming distance of the closest photo pair, 0..64
    distance_m = fields.FloatField()  # between the two reports' positions
    created_at = fields.DatetimeField()

    class Meta:
        table = "duplicate_flag"
        unique_together = (("report", "similar_to"),)


class ProcessedUpdate(Model):
    """The update inbox (bot/reports/inbox.py): one row per Telegram update id, so a redelivery is dropped."""

    update_id = fields.BigIntField(primary_key=True, generated=False)
    chat_id = fields.BigIntField(null=True)  # whose updates are handled one at a time, in order (None: no chat)
    received_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    # The update as Telegram sent it, kept until it has been handled (then cleared: it holds names, phones).
    body: dict[str, Any] | None = fields.JSONField(null=True)
    done_at = fields.DatetimeField(null=True)  # handled (or dropped); None: still to do
    attempts = fields.SmallIntField(default=0, db_default=0)  # times the stranded-update feeder fed it again
    fed_until = fields.DatetimeField(null=True)  # fed again: not again before this (one lease)

    class Meta:
        table = "processed_update"


class StateHistory(Model):
    """One move of a state machine other than a report's status (bot/machines.py): who, when, why."""

    id = fields.IntField(primary_key=True)
    machine = fields.CharField(max_length=32)  # Machine.name: "grant", "payout_batch", "broadcast"
    entity_id = fields.IntField()
    from_state = fields.CharField(max_length=24, null=True)  # None: the row was created in `to_state`
    to_state = fields.CharField(max_length=24)
    actor = fields.CharField(max_length=64)  # "staff:<id>", "system:<job>", "resident:<id>"
    reason = fields.TextField(default="")
    changed_at = fields.DatetimeField()

    class Meta:
        table = "state_history"
        indexes = (("machine", "entity_id"),)

"""The hotspot feature's tables: inspections sent to cells, warning proposals, import runs, forecast runs.

The shared tables it writes live in the kernel (bot/city/models.py): `Incident` (imported or recorded) and
`CellForecast` (what the risk feature reads into levels and draws on the map).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:  # imported at runtime, tortoise would register them in this app too
    from bot.city.models import Agency, Incident


class InspectionState(StrEnum):
    ASSIGNED = "assigned"  #: an agency is to inspect the cell by `due_on`
    FOUND = "found"  #: the inspection found a hazard (recorded as a confirmed incident)
    NOTHING_FOUND = "nothing_found"  #: inspected, nothing there (the cell's unconfirmed reports count no more)
    CANCELLED = "cancelled"


class Inspection(Model):
    """A cell sent to an agency for inspection, and what the inspection found."""

    id = fields.IntField(primary_key=True)
    cell = fields.CharField(max_length=64, db_index=True)
    period = fields.CharField(max_length=8)  # the forecast it was chosen from: "week" or "month"
    period_start = fields.DatetimeField()
    rank = fields.IntField(null=True)  # the cell's rank in that forecast when it was assigned
    expected = fields.FloatField(null=True)
    agency: fields.ForeignKeyRelation[Agency] = fields.ForeignKeyField(
        "core.Agency", related_name="inspections", on_delete=fields.RESTRICT
    )
    agency_id: int  # FK column attributes, declared for the type checker only
    due_on = fields.DateField()
    note = fields.TextField(default="")
    state = fields.CharField(max_length=16, db_index=True)  # InspectionState, written by states.INSPECTIONS
    assigned_by = fields.CharField(max_length=64)  # "staff:<id>"
    assigned_at = fields.DatetimeField()
    result_note = fields.TextField(default="")
    result_by = fields.CharField(max_length=64, null=True)
    result_at = fields.DatetimeField(null=True, db_index=True)
    incident: fields.ForeignKeyNullableRelation[Incident] = fields.ForeignKeyField(
        "core.Incident", related_name="inspections", null=True, on_delete=fields.SET_NULL
    )
    incident_id: int | None

    class Meta:
        table = "hotspots_inspection"


class ProposalState(StrEnum):
    PROPOSED = "proposed"  #: waiting for an official's one click
    SENT = "sent"  #: an official sent it (a broadcast.requested event was published)
    DISMISSED = "dismissed"  #: an official decided no warning is needed


class WarningProposal(Model):
    """The warning broadcast an incident calls for under the escalation rules: one per incident, ever."""

    id = fields.IntField(primary_key=True)
    incident: fields.OneToOneRelation[Incident] = fields.OneToOneField(
        "core.Incident", related_name="warning_proposal", on_delete=fields.CASCADE
    )
    incident_id: int
    kind = fields.CharField(max_length=24)  # the rule's kind: "fire_alarm", "fire", "casualty", ...
    scope = fields.CharField(max_length=64)  # a grid key (street, district, cell) or "city"
    scope_level = fields.CharField(max_length=16)  # "cell", "street", "district" or "city"
    title = fields.CharField(max_length=128)
    texts: dict[str, str] = fields.JSONField(default=dict)  # locale -> text (prefilled, edited before sending)
    state = fields.CharField(max_length=16, db_index=True)  # ProposalState, written by states.PROPOSALS
    proposed_at = fields.DatetimeField(db_index=True)
    decided_by = fields.CharField(max_length=64, null=True)
    decided_at = fields.DatetimeField(null=True)

    class Meta:
        table = "hotspots_warning_proposal"


class ImportState(StrEnum):
    QUEUED = "queued"  #: uploaded, waiting for a worker
    RUNNING = "running"  #: batches are being written (a crash leaves it here: the next start resumes it)
    DONE = "done"
    FAILED = "failed"  #: the file cannot be read as a whole (e.g. a required column is missing)


class ImportRun(Model):
    """One import of an events file: where it got to (resumable), and what it found."""

    id = fields.IntField(primary_key=True)
    file_name = fields.CharField(max_length=128)
    path = fields.CharField(max_length=512)  # where the file is read from (uploads are kept under VAR_DIR)
    sha256 = fields.CharField(max_length=64, db_index=True)  # the content: the same file resumes its run
    state = fields.CharField(max_length=16, db_index=True)  # ImportState, written by states.IMPORTS
    last_line = fields.IntField(default=0)  # every row up to this line is written (or skipped as bad)
    added = fields.IntField(default=0)
    existing = fields.IntField(default=0)  # rows whose event_id was already stored: importing twice adds nothing
    bad = fields.IntField(default=0)
    warnings = fields.IntField(default=0)  # incidents that may call for a warning now (events published)
    error = fields.CharField(max_length=200, default="")
    started_by = fields.CharField(max_length=64)  # "staff:<id>" or "system:cli"
    created_at = fields.DatetimeField()
    progress_at = fields.DatetimeField(null=True)  # the last batch written: a run silent for long has stopped
    finished_at = fields.DatetimeField(null=True)

    bad_rows: fields.ReverseRelation[ImportBadRow]

    class Meta:
        table = "hotspots_import_run"


class ImportBadRow(Model):
    """A skipped row of an import (the first `importer.KEPT_BAD_ROWS` of a run are kept, all are counted)."""

    id = fields.IntField(primary_key=True)
    run: fields.ForeignKeyRelation[ImportRun] = fields.ForeignKeyField(
        "hotspots.ImportRun", related_name="bad_rows", on_delete=fields.CASCADE
    )
    run_id: int
    line = fields.IntField()
    reason = fields.CharField(max_length=32)  # forecast.events.Reason
    value = fields.CharField(max_length=64, default="")

    class Meta:
        table = "hotspots_import_bad_row"


class ForecastRun(Model):
    """One computation of the cell forecasts for one period: when, from what, with which parameters."""

    id = fields.IntField(primary_key=True)
    period = fields.CharField(max_length=8)  # "week" or "month"
    period_start = fields.DatetimeField()
    computed_at = fields.DatetimeField()
    cells = fields.IntField()  # cells with a forecast above zero (rows in CellForecast)
    events = fields.IntField()  # reports and incidents counted
    params: dict[str, Any] = fields.JSONField(default=dict)  # the parameters the nested rolling origin chose

    class Meta:
        table = "hotspots_forecast_run"
        unique_together = (("period", "period_start"),)

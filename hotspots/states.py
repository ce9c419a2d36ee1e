"""The feature's state machines, each moved only through its `bot.machines.Machine` (who, when, why recorded)."""

from __future__ import annotations

from bot.machines import Machine
from hotspots.models import (
    ImportRun,
    ImportState,
    Inspection,
    InspectionState,
    ProposalState,
    WarningProposal,
)

_I = InspectionState
INSPECTION_MOVES: dict[InspectionState | None, frozenset[InspectionState]] = {
    None: frozenset({_I.ASSIGNED}),
    _I.ASSIGNED: frozenset({_I.FOUND, _I.NOTHING_FOUND, _I.CANCELLED}),
    _I.FOUND: frozenset(),
    _I.NOTHING_FOUND: frozenset(),
    _I.CANCELLED: frozenset(),
}
INSPECTIONS = Machine("inspection", Inspection, InspectionState, INSPECTION_MOVES)

_P = ProposalState
PROPOSAL_MOVES: dict[ProposalState | None, frozenset[ProposalState]] = {
    None: frozenset({_P.PROPOSED}),
    _P.PROPOSED: frozenset({_P.SENT, _P.DISMISSED}),
    _P.SENT: frozenset(),
    _P.DISMISSED: frozenset(),
}
PROPOSALS = Machine("warning_proposal", WarningProposal, ProposalState, PROPOSAL_MOVES)

_R = ImportState
IMPORT_MOVES: dict[ImportState | None, frozenset[ImportState]] = {
    None: frozenset({_R.QUEUED, _R.RUNNING}),  # an upload waits for a worker; the command line starts at once
    _R.QUEUED: frozenset({_R.RUNNING, _R.FAILED}),
    _R.RUNNING: frozenset({_R.DONE, _R.FAILED}),
    _R.FAILED: frozenset(),
    _R.DONE: frozenset(),
}
IMPORTS = Machine("import_run", ImportRun, ImportState, IMPORT_MOVES)
#: The actor of the moves the feature's jobs and commands make.
SYSTEM = "system:hotspots"

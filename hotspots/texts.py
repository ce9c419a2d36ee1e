"""Every user-visible string of the feature (English msgids, translated where shown)."""

from __future__ import annotations

from bot.i18n import N_

# Recording an incident (admin form)
BAD_OCCURRED_AT = N_("When it happened must be a date and time like 2026-11-23 09:30.")
FUTURE_OCCURRED_AT = N_("When it happened cannot be in the future.")
BAD_POSITION = N_("Give the place as latitude, longitude (e.g. 31.2304, 121.4737) or choose a grid cell.")
NEED_CATEGORY = N_("Give the incident's category (at most 64 characters).")
BAD_KIND = N_("Choose one of the listed kinds, or none.")
BAD_SEVERITY = N_("The severity must be a number from 0 to 10.")
INCIDENT_RECORDED = N_("Incident recorded.")
INCIDENT_RECORDED_WARNING = N_("Incident recorded. It calls for a warning: see the proposal below.")

# Importing
NO_FILE = N_("Choose an events file (CSV, or CSV compressed with gzip).")

# Warnings
NEED_DEFAULT_TEXT = N_("The warning needs a text in %(locale)s.")
TEXT_TOO_LONG = N_("A warning text is longer than %(max)s characters.")
WARNING_SENT = N_("The warning is on its way to the residents subscribed in %(place)s.")
WARNING_DISMISSED = N_("No warning will be sent for this incident.")
ALREADY_DECIDED = N_("Another official decided on this warning already.")

# Inspections
ASSIGNED = N_("Cell %(cell)s is assigned to %(agency)s, due %(due)s.")
BAD_ASSIGNMENT = N_("Choose an active agency and a due date from today on.")
ALREADY_ASSIGNED = N_("This cell has an open inspection already.")
NOT_IN_FORECAST = N_("This cell is not in the forecast for that period.")
RESULT_RECORDED = N_("The inspection's result is recorded; the next forecast counts it.")
INSPECTION_CANCELLED = N_("The inspection is cancelled.")
NOT_OPEN = N_("This inspection is not open any more.")
FORECAST_QUEUED = N_("The forecast is being computed; reload the page in a moment.")
INSPECTION_TO_AGENCY = N_("Inspection requested: grid cell %(cell)s (%(place)s), due %(due)s. %(note)s")

#: The forecast's parts, as the inspection list explains them ("why this cell").
PART_LABELS = {
    "recent_confirmed": N_("confirmed hazards lately"),
    "recent_other_report": N_("unconfirmed reports lately"),
    "recent_incident": N_("incidents lately"),
    "neighbours": N_("neighbouring cells"),
    "season": N_("same season in earlier years"),
    "latest": N_("last period's burst"),
}

INSPECTION_STATE_LABELS = {
    "assigned": N_("assigned"),
    "found": N_("hazard found"),
    "nothing_found": N_("nothing found"),
    "cancelled": N_("cancelled"),
}
PROPOSAL_STATE_LABELS = {
    "proposed": N_("proposed"),
    "sent": N_("sent"),
    "dismissed": N_("dismissed"),
}
IMPORT_STATE_LABELS = {
    "queued": N_("queued"),
    "running": N_("running"),
    "done": N_("done"),
    "failed": N_("failed"),
}
SCOPE_LEVEL_LABELS = {
    "cell": N_("grid cell"),
    "street": N_("street / town"),
    "district": N_("district"),
    "city": N_("whole city"),
}
PERIOD_LABELS = {"week": N_("this week"), "month": N_("this month")}

"""What the open data surfaces say about a status, in the reader's language (English sources, gettext ids)."""

from __future__ import annotations

from bot.i18n import N_
from bot.reports.statuses import Status

#: A status in a few words, for status_notes, the updates feed and the public timeline.
STATUS_LABELS: dict[str, str] = {
    Status.SUBMITTED: N_("Awaiting moderation"),
    Status.NEEDS_INFO: N_("More information asked for"),
    Status.ACCEPTED: N_("Accepted as a hazard"),
    Status.DISPATCHED: N_("Sent to the responsible agency"),
    Status.IN_PROGRESS: N_("Being fixed"),
    Status.FIXED: N_("Fixed"),
    Status.REOPENED: N_("Reopened: not really fixed"),
    Status.REJECTED: N_("Not accepted"),
    Status.DUPLICATE: N_("Duplicate of another report"),
    Status.NOT_RESPONSIBLE: N_("Outside our agencies' remit"),
    Status.NO_ACTION: N_("Closed without action"),
}
#: What happens next (Open311 service_notice).
NOTICES: dict[str, str] = {
    Status.SUBMITTED: N_("A moderator reviews it within %(hours)s hours."),
    Status.REOPENED: N_("A moderator reviews it within %(hours)s hours."),
    Status.NEEDS_INFO: N_("Waiting for more information from whoever reported it."),
    Status.ACCEPTED: N_("It is due to be fixed by the date given."),
    Status.DISPATCHED: N_("It is due to be fixed by the date given."),
    Status.IN_PROGRESS: N_("It is due to be fixed by the date given."),
}
EMERGENCY = N_(
    "Someone is in danger now: call 110 (police), 119 (fire) or 120 (ambulance). This service is not for emergencies."
)

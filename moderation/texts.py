"""Every sentence moderation sends to residents, agencies and supervisors, in English source form.

Translated in the reader's language at send time (`Translator(resident.language)`).
"""

from __future__ import annotations

from bot.i18n import N_
from bot.reports.statuses import Status

# --- status DMs to the reporter and followers ------------------------------------------------
HEADER_REPORTER = N_("Update on your report #%(id)s (%(category)s):")
HEADER_FOLLOWER = N_("Update on report #%(id)s (%(category)s), which you follow:")
STATUS_BODIES: dict[str, str] = {
    Status.ACCEPTED: N_("A moderator checked it and accepted it. It will go to the responsible agency."),
    Status.DISPATCHED: N_("It has been sent to %(agency)s, who will fix it."),
    Status.IN_PROGRESS: N_("The agency is working on it."),
    Status.FIXED: N_("The agency says it has been fixed. Someone other than the agency will confirm it."),
    Status.VERIFIED_FIXED: N_("The fix has been confirmed. Thank you for reporting it!"),
    Status.REOPENED: N_("It has been reopened and goes back to the moderators."),
    Status.REJECTED: N_("It was not accepted. Reason: %(reason)s"),
    Status.NOT_RESPONSIBLE: N_("It is outside what our agencies are responsible for, so it was closed."),
    Status.NO_ACTION: N_("It was closed without further action."),
}
REASON_LINE = N_("Reason: %(reason)s")
NOTE_LINE = N_("Note from the moderators: %(note)s")
NO_REASON_GIVEN = N_("no reason given")
UNKNOWN_AGENCY = N_("the responsible agency")
MERGED_REPORTER = N_(
    "Your report #%(id)s is about the same hazard as report #%(original)s, so the two were merged. "
    "You now follow #%(original)s and will be told about its progress. You stay credited for your report."
)
MERGED_FOLLOWER = N_(
    "Report #%(id)s, which you follow, is about the same hazard as report #%(original)s, so the two were "
    "merged. You now follow #%(original)s and will be told about its progress."
)
QUESTION = N_(
    "A moderator has a question about your report #%(id)s (%(category)s):\n\n%(question)s\n\n"
    "Please answer here with a message or a photo."
)

# --- the reporter's answers and the "is it really fixed?" check -------------------------------
ANSWER_TAKEN = N_("Thank you! Your answer was added to report #%(id)s, which is back with the moderators.")
ANSWER_PHOTO_REFUSED = N_("That photo could not be used: %(problem)s Please send another photo or answer in words.")
FIXED_CHECK = N_("%(days)s days ago your report #%(id)s (%(category)s) was marked as fixed. Is the hazard really gone?")
FIXED_YES = N_("Yes, it is fixed")
FIXED_NO = N_("No, it is still there")
FIXED_THANKS = N_("Thank you for confirming! Report #%(id)s stays closed as fixed.")
REOPENED_BY_REPORTER = N_(
    "Report #%(id)s has been reopened and goes back to the moderators. If you can, send a new photo of "
    "the hazard now and it will be added to the report."
)
REOPEN_LIMIT = N_(
    "Report #%(id)s has already been reopened %(max)s times, which is the limit, so it cannot be reopened "
    "again. If the hazard is still there, please file a new report with /report."
)
NOT_FIXED_ANY_MORE = N_("Report #%(id)s is no longer marked as fixed, so there is nothing to confirm.")
NOT_YOUR_REPORT = N_("Only the person who filed report #%(id)s can answer this.")
PHOTO_ADDED = N_("The photo was added to report #%(id)s. To report a different hazard, use /report.")

# --- supervisors ------------------------------------------------------------------
ESCALATION_HEADER = N_("Overdue reports (%(count)s):")
ESCALATION_LINE = N_("#%(id)s %(category)s in %(area)s: %(stage)s was due %(due)s")
STAGE_MODERATION = N_("moderation")
STAGE_RESOLUTION = N_("resolution")

"""Every sentence the field feature sends to crews, grid staff, reporters, supervisors and moderators, in
English source form; translated in the reader's language when sent (group chats: the default locale)."""

from __future__ import annotations

from bot.i18n import N_

# --- the crew's card ---------------------------------------------------------------------------------
CARD = N_(
    "Report #%(id)s for %(agency)s\nCategory: %(category)s\nPlace: %(place)s\nSeverity: %(severity)s\n"
    "Deadline: %(due)s\nDescription: %(description)s"
)
TAKE, NOT_OURS, ON_SITE, FIXED, MORE_TIME = (
    N_("Take it"),
    N_("Not ours"),
    N_("On site"),
    N_("Fixed"),
    N_("Need more time"),
)
NO_PHOTO = N_("No photo")
EXTRA_DAYS: dict[int, str] = {1: N_("+1 day"), 3: N_("+3 days"), 7: N_("+7 days")}

# --- what a press or an answer did -----------------------------------------------------------------------
TOOK = N_("%(name)s took report #%(id)s.")
WENT_ON_SITE = N_("%(name)s is on site for report #%(id)s. Tap Fixed when the hazard is gone.")
ASK_NOT_OURS = N_("Why is report #%(id)s not for your agency? Tap a reason, or type your own.")
ASK_NOT_OURS_GROUP = N_("Why is report #%(id)s not for your agency? Tap a reason, or reply to this message.")
NOT_OURS_REASONS: dict[str, str] = {
    "area": N_("It is in another agency's area."),
    "kind": N_("This kind of hazard is another agency's work."),
    "private": N_("It is on private property: the owner must put it right."),
    "not_found": N_("We could not find it at this place."),
}
HANDED_BACK = N_("Report #%(id)s goes back to the moderators: %(reason)s")
MODERATORS_HANDED_BACK = N_(
    "Report #%(id)s was handed back by %(agency)s (%(name)s): %(reason)s It waits for a dispatch."
)
ASK_UNTIL = N_("Report #%(id)s is due %(due)s. Until when do you need? Tap one, or type a date like %(example)s.")
ASK_UNTIL_GROUP = N_(
    "Report #%(id)s is due %(due)s. Until when do you need? Tap one, or reply to this message with a date like "
    "%(example)s."
)
ASK_WHY_MORE_TIME = N_("New deadline for report #%(id)s: %(due)s. Why is more time needed? Tap a reason, or type it.")
MORE_TIME_REASONS: dict[str, str] = {
    "parts": N_("Waiting for materials or parts."),
    "owner": N_("The owner or landlord must be reached first."),
    "other_agency": N_("Another agency has to act first."),
    "weather": N_("The weather does not allow the work."),
}
EXTENDED = N_("Report #%(id)s is now due %(due)s. The extension is recorded and counts against the deadline.")
BAD_DATE = N_(
    "That is not a date I can use. Type a date like %(example)s, later than %(due)s and at most %(max)s days from now."
)
ASK_AFTER_PHOTO = N_("Report #%(id)s: send a photo of the place now that the hazard is gone.")
ASK_AFTER_PHOTO_OPTIONAL = N_(
    'Report #%(id)s: send a photo of the place now that the hazard is gone, or tap "No photo".'
)
PHOTO_REFUSED = N_("That photo could not be used: %(problem)s Please send another one.")
PHOTO_NOT_TEXT = N_("Report #%(id)s waits for a photo of the fixed place. Please send a photo.")
MARKED_FIXED = N_("Report #%(id)s is marked fixed. Someone other than the crew will now confirm it.")

# --- refused presses and answers ---------------------------------------------------------------------------
NOT_LINKED = N_("Your Telegram account is not linked to a staff account. An admin can link it on the staff page.")
NOT_CREW = N_("Only an agency's crew can use these buttons.")
OTHER_AGENCY = N_("Report #%(id)s is not with your agency (any more).")
GONE = N_("This button no longer works.")
NOT_NOW = N_("Report #%(id)s is %(status)s now: this button no longer applies.")
TAKEN_BY_OTHER = N_("%(name)s already took report #%(id)s.")
ALREADY = N_("You did that already for report #%(id)s.")
NO_QUESTION = N_("That question is no longer open: tap the report's button again.")
ANSWER_NEEDED = N_("Please answer report #%(id)s's question in words, or tap one of its buttons.")
PHOTO_REQUIRED = N_("A fix of this kind of hazard needs a photo of the place afterwards: please send one.")

# --- reminders and escalation --------------------------------------------------------------------------------
REMIND_HALF = N_("Reminder: half the time for report #%(id)s (%(category)s, %(place)s) is gone. It is due %(due)s.")
REMIND_NEAR = N_("Reminder: report #%(id)s (%(category)s, %(place)s) is due %(due)s, in less than %(hours)s hours.")
OVERDUE_SUPERVISOR = N_(
    "Overdue: report #%(id)s (%(category)s, %(place)s) for %(agency)s was due %(due)s. Taken by: %(taker)s. "
    "Deadline extensions: %(extensions)s."
)
NOBODY = N_("nobody")

# --- verification ----------------------------------------------------------------------------------------------
ASK_REPORTER = N_(
    "Report #%(id)s (%(category)s): the agency says the hazard is fixed. Left: your photo; right: after the fix. "
    "Is it fixed?"
)
ASK_REPORTER_NO_PHOTO = N_("Report #%(id)s (%(category)s): the agency says the hazard is fixed. Is it fixed?")
ASK_VERIFIER = N_(
    "Please check on site: report #%(id)s (%(category)s) at %(place)s is said to be fixed (left: before; right: "
    "after). Is it fixed?"
)
YES_FIXED, STILL_THERE = N_("Yes, it is fixed"), N_("No, it is still there")
CONFIRMED = N_("Thank you! Report #%(id)s is confirmed fixed.")
OBJECTED = N_("Thank you. Report #%(id)s is reopened and goes back to the moderators.")
REOPEN_LIMIT = N_(
    "Report #%(id)s was reopened too often to reopen it again; the moderators are told that it is still there."
)
NOT_ALLOWED_TO_CONFIRM = N_("Only the reporter, or grid staff of this place, can confirm report #%(id)s.")
CREW_CANNOT_CONFIRM = N_("The agency's own crew cannot confirm its fix of report #%(id)s.")
NOT_AWAITING = N_("Report #%(id)s is not waiting for a confirmation (it is %(status)s now).")
MODERATORS_STILL_THERE = N_("Report #%(id)s: %(who)s says the hazard is still there, but it cannot be reopened again.")

# --- patrol ---------------------------------------------------------------------------------------------------------
PATROL_START = N_(
    "Patrol mode. For each hazard: send a photo, then its location, then tap its category. /cancel ends patrol mode."
)
PATROL_NOT_GRID = N_("Patrol mode is for grid staff. An admin can give your Telegram account the grid-staff role.")
PATROL_ASK_LOCATION = N_('Where is it? Tap "Send my location".')
PATROL_ASK_CATEGORY = N_("What kind of hazard is it?")
PATROL_FILED = N_("Filed #%(id)s (%(category)s), %(count)s on this patrol. Send the next photo, or /cancel to end.")
PATROL_ENDED = N_("Patrol ended: %(count)s hazards filed.")
PATROL_NEED_PHOTO = N_("Patrol mode: send a photo of the next hazard, or /cancel to end.")
PATROL_NEED_LOCATION = N_('Send the hazard\'s location: tap "Send my location".')
PATROL_NEED_CATEGORY = N_("Tap the hazard's category.")
PATROL_BAD_PHOTO = N_("That photo could not be used: %(problem)s Send another one.")
PATROL_BAD_LOCATION = N_("That location cannot be used: %(problem)s Send it again.")
SEND_MY_LOCATION = N_("Send my location")

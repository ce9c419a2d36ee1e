"""Risk's messages (English msgids, translated per reader)."""

from __future__ import annotations

from bot.i18n import N_

LEVEL_CHANGED = N_(
    "Risk level of grid cell %(cell)s (%(district)s): %(before)s → %(after)s.\n"
    "Why: %(why)s\n"
    "Open hazards there: %(open)s. Officials can send a warning to the residents nearby from the map.\n%(link)s"
)
NO_LEVEL = N_("none")
SCORE_WHY = N_("score %(score)s")
FORCED_WHY = N_("forced by the rule: %(rule)s")
PART_NAMES = {
    "open": N_("open hazards"),
    "overdue": N_("overdue"),
    "reopened": N_("reopened"),
    "history": N_("recent history"),
    "incidents": N_("incidents"),
    "forecast": N_("forecast"),
}
WARNING_TEXT = N_(
    "Safety warning: the grid area %(place)s has several serious hazards, especially fire hazards. "
    "Do not charge e-bikes indoors or in corridors, keep fire exits clear, and report hazards to this bot."
)
WARNING_TITLE = N_("Warning for %(place)s")
BULLETIN_WEEK_TITLE = N_("Weekly safety bulletin, %(start)s – %(end)s")
BULLETIN_MONTH_TITLE = N_("Monthly safety bulletin, %(month)s")
BULLETIN_SUMMARY = N_(
    "%(title)s\nNew hazards: %(new)s · fixed: %(fixed)s · overdue: %(overdue)s\n"
    "Cells now red: %(red)s · orange: %(orange)s · level changes this period: %(changes)s"
)
BULLETIN_DISTRICT_LINE = N_("%(district)s: new %(new)s, fixed %(fixed)s, overdue %(overdue)s")
BULLETIN_URGENT_HEADER = N_("Most urgent open hazards:")
BULLETIN_URGENT_LINE = N_("#%(id)s %(category)s, %(district)s, %(severity)s%(overdue)s")
OVERDUE_MARK = N_(", overdue")
BULLETIN_LINK = N_("The whole bulletin: %(link)s")

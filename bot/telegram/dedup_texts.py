"""What the bot says about duplicates during intake, in English source form (catalogue: dedup.po)."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import N_, Translator
from bot.reports.dedup import NoticeKind
from bot.reports.intake import Problem, Prompt

DEDUP_PROMPTS: dict[Prompt, str] = {
    Prompt.ASK_DUPLICATE: N_(
        'Is your hazard one of the open reports above? Tap "This is it" under its photo: your voice is added '
        'to it and you get its updates. Otherwise tap "Mine is new".'
    ),
    Prompt.FOLLOWING: N_(
        'Thank you! You now support report #%(id)s: your "me too" is counted and you will get a message '
        "at every change. No new report was filed."
    ),
    Prompt.ALREADY_FOLLOWING: N_(
        "You already support report #%(id)s and will get a message at every change. No new report was filed."
    ),
}

DEDUP_PROBLEMS: dict[str, str] = {
    Problem.NOT_A_CANDIDATE: N_("That report can no longer be chosen (it may have been closed)."),
}

NOTICES: dict[NoticeKind, str] = {
    NoticeKind.SAME_PHOTO_AGAIN: N_(
        "You already sent this photo with your report %(reports)s. If this is the same hazard, there is no "
        "need to report it again; you can follow it with /my_reports."
    ),
    NoticeKind.SIMILAR_PHOTO: N_(
        "A very similar photo was already reported nearby (%(reports)s). A moderator will check whether it is "
        "the same hazard."
    ),
}

DEDUP_BUTTONS = {
    "this_is_it": N_("This is it"),
    "mine_is_new": N_("Mine is new"),
}

CANDIDATE_CARD = N_("Report #%(id)s: %(category)s (%(status)s)\n%(distance_m)s m from your location, filed %(age)s")
SUPPORTERS = N_('Residents who said "me too": %(count)s')
AGE_UNDER_AN_HOUR = N_("less than an hour ago")
AGE_HOURS = N_("%(hours)s h ago")
AGE_DAYS = N_("%(days)s days ago")

#: A caption holds 1024 characters; a teaser of the description is enough to recognise a report.
DESCRIPTION_TEASER_CHARS = 200


def age_text(age: timedelta, _: Translator) -> str:
    """Coarse, translated age: "less than an hour ago", "5 h ago", "3 days ago"."""
    hours = int(age.total_seconds() // 3600)
    if hours < 1:
        return _(AGE_UNDER_AN_HOUR)
    if hours < 48:
        return _(AGE_HOURS, hours=hours)
    return _(AGE_DAYS, days=hours // 24)


def report_list(report_ids: tuple[int, ...]) -> str:
    return ", ".join(f"#{report_id}" for report_id in report_ids)

"""Telegram side of the moderators' group: a moderator's Accept / Reject button on a report's post.

Only presses in the configured group count. `moderation.group.press` decides (the web admin's role and
scope checks and domain functions, as the linked staff member); this module answers the press (an
alert when refused) and, on success, edits the post: buttons gone, a line saying who did what.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.config import Settings
from bot.handlers.context import AppContext
from bot.handlers.texts import STATUS_NAMES
from bot.i18n import N_, Translator
from bot.reports.models import Report
from moderation.group import PressOutcome, PressResult, change_post, exit_note, last_exit, post_for, press
from moderation.group_jobs import show

log = logging.getLogger(__name__)

NOT_HERE = N_("These buttons work only in the moderators' group.")
ALERTS: dict[PressOutcome, str] = {
    PressOutcome.NOT_LINKED: N_(
        "Your Telegram account is not linked to a staff account. An admin can link it on the staff page."
    ),
    PressOutcome.NOT_PERMITTED: N_("Your role cannot decide on reports."),
    PressOutcome.OUT_OF_SCOPE: N_("Report #%(id)s is outside your areas or categories."),
    PressOutcome.HANDLED: N_("Report #%(id)s was already handled: it is %(status)s now."),
    PressOutcome.GONE: N_("This button no longer works; open the report in the admin."),
}


def alert(result: PressResult, _: Translator) -> str:
    if result.error is not None:
        return _(result.error.message, **result.error.params)
    status = result.report.status if result.report is not None else ""
    return _(ALERTS[result.outcome], id=result.report_id, status=_(STATUS_NAMES.get(status, status)))


async def on_group_button(update: Update, context: AppContext) -> None:
    """Accept or reject from the group; refusals change nothing and say why, in the presser's language."""
    query = update.callback_query
    assert query is not None and query.data is not None
    settings, chat = context.services.settings, update.effective_chat
    if settings.moderators_chat_id is None or chat is None or chat.id != settings.moderators_chat_id:
        await query.answer(Translator(settings.default_locale)(NOT_HERE), show_alert=True)
        return
    result = await press(query.from_user.id, query.data, now=context.services.clock())
    _ = Translator(result.staff.language if result.staff is not None else settings.default_locale)
    if result.outcome is not PressOutcome.DONE or result.report is None:
        await query.answer(alert(result, _), show_alert=True)
        return
    await close_post(context, settings, result.report)
    change = await last_exit(result.report_id)
    await query.answer(await exit_note(result.report, change, _) if change is not None else None)


async def close_post(context: AppContext, settings: Settings, report: Report) -> None:
    """Remove the post's buttons at once (the close job, queued by the change, finds nothing left to do)."""
    assert settings.moderators_chat_id is not None
    post, change = await post_for(report.id, settings.moderators_chat_id), await last_exit(report.id)
    if post is None or change is None:
        return
    await change_post(post, open_=False, note=await exit_note(report, change, Translator(settings.default_locale)))
    try:
        await show(context.bot, post, settings)
    except TelegramError:  # a flood limit or a network error: the close job, queued by the change, edits it
        log.warning("group post of report %s not edited yet", report.id, exc_info=True)

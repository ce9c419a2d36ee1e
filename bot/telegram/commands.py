"""/start, /help, /language, /my_reports, and the answer to an unknown command."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Message, Update
from tortoise.expressions import Q

from bot.i18n import Translator
from bot.reports.categories import by_key
from bot.reports.models import Report
from bot.reports.residents import set_language
from bot.telegram import keyboards
from bot.telegram.context import AppContext
from bot.telegram.menu import menu
from bot.telegram.report_flow import resident_of
from bot.telegram.texts import (
    CHOOSE_LANGUAGE,
    FOLLOWED_REPORTS_HEADER,
    GREETING,
    LANGUAGE_SET,
    MY_REPORTS_HEADER,
    MY_REPORTS_LINE,
    NO_REPORTS,
    PRIVACY,
    STATUS_NAMES,
    UNKNOWN_COMMAND,
)

#: A chat message holds 4096 characters; 30 short lines stay well inside it.
MY_REPORTS_LIMIT = 30


async def on_start(update: Update, context: AppContext) -> None:
    """Greet in the resident's language, with the privacy notice and the menu."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    text = "\n\n".join([_(GREETING, name=resident.first_name), _(PRIVACY), menu(_, context)])
    await update.effective_message.reply_text(text)


async def on_help(update: Update, context: AppContext) -> None:
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    await update.effective_message.reply_text(menu(Translator(resident.language), context))


async def on_unknown_command(update: Update, context: AppContext) -> None:
    """A mistyped or unsupported command gets the menu rather than silence."""
    message = update.effective_message
    assert message is not None and message.text is not None
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    command = message.text.split(maxsplit=1)[0].split("@", 1)[0]
    await message.reply_text("\n\n".join([_(UNKNOWN_COMMAND, command=command), menu(_, context)]))


async def on_language(update: Update, context: AppContext) -> None:
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    await update.effective_message.reply_text(
        Translator(resident.language)(CHOOSE_LANGUAGE), reply_markup=keyboards.languages()
    )


async def on_language_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    if await set_language(resident, query.data.removeprefix(keyboards.LANGUAGE_PREFIX)) and isinstance(
        query.message, Message
    ):
        await query.edit_message_text(Translator(resident.language)(LANGUAGE_SET))


async def on_my_reports(update: Update, context: AppContext) -> None:
    """The resident's reports and the ones they follow ("me too"), newest first, with their status in plain
    words and the day they were filed in the city's time zone."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    _ = Translator(resident.language)
    reports = (
        await Report.filter(Q(reporter_id=resident.id) | Q(followers__resident_id=resident.id))
        .distinct()
        .order_by("-id")
        .limit(MY_REPORTS_LIMIT)
    )
    if not reports:
        await update.effective_message.reply_text(_(NO_REPORTS))
        return
    zone = ZoneInfo(context.services.settings.local_timezone)
    own = [_report_line(report, _, context, zone) for report in reports if report.reporter_id == resident.id]
    followed = [_report_line(r, _, context, zone) for r in reports if r.reporter_id != resident.id]
    sections = [[_(MY_REPORTS_HEADER), *own]] if own else []
    if followed:
        sections.append([_(FOLLOWED_REPORTS_HEADER), *followed])
    await update.effective_message.reply_text("\n\n".join("\n".join(section) for section in sections))


def _report_line(report: Report, _: Translator, context: AppContext, zone: ZoneInfo) -> str:
    category = by_key(context.services.intake.rules.categories, report.category)
    return _(
        MY_REPORTS_LINE,
        id=report.id,
        category=_(category.label) if category else report.category,
        status=_(STATUS_NAMES.get(report.status, report.status)),
        date=report.created_at.astimezone(zone).date().isoformat(),
    )

"""Telegram side of rewards: /balance, /claim (real name and payout account), /leaderboard.

Registered in their own handler group, before moderation's follow-up (-1) and intake (0): a
contact or text is taken only while a claim session is active (then the update stops here); any
other command, photo or location ends the claim session, so a later report description is never
mistaken for a real name. The resident's `awaiting` mark (loaded with them) says whether a claim may
be active, so nobody else's updates look for a session at all.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.i18n import Translator
from bot.reports.models import Resident
from bot.reports.residents import awaits, set_awaiting
from bot.telegram.context import AppContext, BotApplication
from bot.telegram.report_flow import resident_of
from rewards import texts
from rewards.claims import ClaimPrompt, ClaimReply, Claims
from rewards.crypto import Cipher
from rewards.models import ClaimSession
from rewards.rulebook import current_rules
from rewards.rules import format_money
from rewards.statement import Statement, leaderboard, statement_for

CALLBACK_PREFIX = "rw:"
METHOD_PREFIX = "rw:m:"
CHANGE_ACCOUNT = "rw:acct"
BOARD_ON, BOARD_OFF = "rw:lb:1", "rw:lb:0"
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None
#: The resident's `awaiting` mark while a claim session waits for their answer.
CLAIM_EXCHANGE = "rewards.claim"
ASKING = (ClaimPrompt.ASK_PHONE, ClaimPrompt.ASK_NAME, ClaimPrompt.ASK_METHOD, ClaimPrompt.ASK_ACCOUNT)


def claims_of(context: AppContext) -> Claims:
    """One Claims service per application (built on first use from Settings)."""
    found = context.application.bot_data.get("rewards.claims")
    if not isinstance(found, Claims):
        settings = context.services.settings
        found = Claims(
            Cipher.from_settings(settings),
            settings.rewards_payout_methods,
            timedelta(minutes=settings.rewards_claim_ttl_min),
        )
        context.application.bot_data["rewards.claims"] = found
    return found


def register(application: BotApplication, group: int) -> None:
    private = filters.ChatType.PRIVATE
    message = filters.UpdateType.MESSAGE & private
    for handler in (
        CommandHandler("cancel", on_cancel, filters=private),
        CommandHandler("balance", on_balance, filters=private),
        CommandHandler("claim", on_claim, filters=private),
        CommandHandler("leaderboard", on_leaderboard, filters=private),
        MessageHandler(message & filters.COMMAND, end_claim),
        MessageHandler(message & (filters.PHOTO | filters.Document.ALL | filters.LOCATION | filters.VENUE), end_claim),
        MessageHandler(message & filters.CONTACT, on_contact),
        MessageHandler(message & filters.TEXT & ~filters.COMMAND, on_text),
        CallbackQueryHandler(on_button, pattern=f"^{CALLBACK_PREFIX}"),
    ):
        application.add_handler(handler, group=group)


async def _reply(message: Message, text: str, markup: Markup = None) -> None:
    await message.reply_text(text, reply_markup=markup)


async def on_balance(update: Update, context: AppContext) -> None:
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    rules = await current_rules(context.services.settings)
    statement = await statement_for(resident.id, rules)
    _ = Translator(resident.language)
    await _reply(update.effective_message, render_statement(statement, _, rules.currency, rules.zone))
    raise ApplicationHandlerStop


def render_statement(statement: Statement, _: Translator, currency: str, zone: ZoneInfo) -> str:
    def money(fen: int) -> str:
        return format_money(fen, currency)

    lines = [
        _(texts.BALANCE_HEADER),
        _(
            texts.BALANCE_LINES,
            available=money(statement.available_fen),
            pending=money(statement.pending_fen),
            paid=money(statement.paid_fen),
        ),
    ]
    if statement.debt_fen:
        lines.append(_(texts.BALANCE_DEBT, debt=money(statement.debt_fen)))
    if statement.points:
        lines.append(_(texts.BALANCE_POINTS, points=statement.points))
    if statement.lapses_at is not None:
        lines.append(_(texts.BALANCE_CLAIM, date=statement.lapses_at.astimezone(zone).date().isoformat()))
    elif not statement.claimed and statement.history:
        lines.append(_(texts.BALANCE_CLAIM_NO_DATE))
    if not statement.history:
        return "\n".join([*lines, "", _(texts.BALANCE_EMPTY)])
    lines += ["", _(texts.BALANCE_HISTORY)]
    lines += [
        _(
            texts.BALANCE_LINE,
            report=line.report_id,
            amount=money(line.amount_fen),
            state=_(texts.STATE_NAMES.get(line.state, line.state)),
            date=line.at.astimezone(zone).date().isoformat(),
        )
        for line in statement.history
    ]
    return "\n".join(lines)


async def _mark(resident: Resident, reply: ClaimReply) -> None:
    """Keep the resident's `awaiting` mark in step with the session: set while it asks for something."""
    await set_awaiting(resident, CLAIM_EXCHANGE, reply.prompt in ASKING)


async def on_claim(update: Update, context: AppContext) -> None:
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    reply = await claims_of(context).start(resident.id, context.services.clock())
    await _mark(resident, reply)
    await _reply(update.effective_message, *render_claim(reply, Translator(resident.language)))
    raise ApplicationHandlerStop


async def _end(resident: Resident, context: AppContext) -> bool:
    """End the resident's claim session, if one may be active; True when one was."""
    if not awaits(resident, CLAIM_EXCHANGE):
        return False
    ended = await claims_of(context).cancel(resident.id)
    await set_awaiting(resident, CLAIM_EXCHANGE, False)
    return ended


async def on_cancel(update: Update, context: AppContext) -> None:
    """/cancel ends an active claim; with none, intake's /cancel (a later group) handles it."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    if not await _end(resident, context):
        return
    await _reply(update.effective_message, Translator(resident.language)(texts.CLAIM_CANCELLED), ReplyKeyboardRemove())
    raise ApplicationHandlerStop


async def end_claim(update: Update, context: AppContext) -> None:
    """Another command, or report input: the resident moved on; the update continues to intake."""
    await _end(await resident_of(update, context), context)


async def _session(update: Update, context: AppContext) -> tuple[Resident, ClaimSession | None]:
    """The resident's live claim session, looked for only when their mark says one may be."""
    resident = await resident_of(update, context)
    if not awaits(resident, CLAIM_EXCHANGE):
        return resident, None
    session = await claims_of(context).active(resident.id, context.services.clock())
    if session is None:  # idle too long: the mark was all that was left
        await set_awaiting(resident, CLAIM_EXCHANGE, False)
    return resident, session


async def on_contact(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None and message.contact is not None
    resident, session = await _session(update, context)
    if session is None:
        return  # not ours: intake says what it needs instead
    contact = message.contact
    reply = await claims_of(context).take_contact(
        session, contact.phone_number, contact.user_id, context.services.clock()
    )
    await _mark(resident, reply)
    await _reply(message, *render_claim(reply, Translator(resident.language)))
    raise ApplicationHandlerStop


async def on_text(update: Update, context: AppContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    resident, session = await _session(update, context)
    if session is None:
        return
    reply = await claims_of(context).take_text(session, message.text, context.services.clock())
    await _mark(resident, reply)
    await _reply(message, *render_claim(reply, Translator(resident.language)))
    raise ApplicationHandlerStop


async def on_button(update: Update, context: AppContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    resident = await resident_of(update, context)
    _, claims, now, data = Translator(resident.language), claims_of(context), context.services.clock(), query.data
    if data in (BOARD_ON, BOARD_OFF):
        view = await claims.set_leaderboard(resident.id, data == BOARD_ON)
        text, markup = _(texts.BOARD_YOU_IN if view.leaderboard_opt_in else texts.BOARD_YOU_OUT), None
    elif data == CHANGE_ACCOUNT:
        reply = await claims.change_account(resident.id, now)
        await _mark(resident, reply)
        text, markup = render_claim(reply, _)
    else:
        session = await claims.active(resident.id, now)
        method = data.removeprefix(METHOD_PREFIX)
        reply = await (
            claims.start(resident.id, now) if session is None else claims.choose_method(session, method, now)
        )
        await _mark(resident, reply)
        text, markup = render_claim(reply, _)
    await context.bot.send_message(resident.chat_id, text, reply_markup=markup)
    raise ApplicationHandlerStop


def render_claim(reply: ClaimReply, _: Translator) -> tuple[str, Markup]:
    """Problem first (why the input was not taken), then what is needed now, with its keyboard."""
    profile = reply.profile
    method = reply.method or (profile.method if profile else None)
    method_name = _(texts.METHOD_NAMES.get(method, method)) if method else ""
    hint = _(texts.ACCOUNT_HINTS.get(method, texts.OTHER_ACCOUNT_HINT)) if method else ""
    body = _(
        texts.PROMPTS[reply.prompt],
        method=method_name,
        hint=hint,
        account=profile.account if profile else "",
        name=profile.name if profile else "",
        phone=profile.phone if profile else "",
    )
    if reply.problem is not None:
        body = f"{_(texts.PROBLEMS[reply.problem])}\n{body}"
    return body, _claim_markup(reply, _)


def _claim_markup(reply: ClaimReply, _: Translator) -> Markup:
    if reply.prompt == ClaimPrompt.ASK_PHONE:
        button = KeyboardButton(_(texts.SHARE_PHONE_BUTTON), request_contact=True)
        return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
    if reply.prompt == ClaimPrompt.ASK_METHOD:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(_(texts.METHOD_NAMES.get(method, method)), callback_data=METHOD_PREFIX + method)]
                for method in reply.methods
            ]
        )
    if reply.prompt == ClaimPrompt.SUMMARY and reply.profile is not None:
        board = (
            (texts.LEAVE_BOARD_BUTTON, BOARD_OFF)
            if reply.profile.leaderboard_opt_in
            else (texts.JOIN_BOARD_BUTTON, BOARD_ON)
        )
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(_(texts.CHANGE_ACCOUNT_BUTTON), callback_data=CHANGE_ACCOUNT)],
                [InlineKeyboardButton(_(board[0]), callback_data=board[1])],
            ]
        )
    return ReplyKeyboardRemove() if reply.prompt in (ClaimPrompt.ASK_NAME, ClaimPrompt.DONE) else None


async def on_leaderboard(update: Update, context: AppContext) -> None:
    """This month's opt-in leaderboard, and a button to join or leave it."""
    assert update.effective_message is not None
    resident = await resident_of(update, context)
    _, settings = Translator(resident.language), context.services.settings
    rules = await current_rules(settings)
    standings = await leaderboard(rules, claims_of(context).cipher, context.services.clock())
    lines = [_(texts.BOARD_HEADER)] if standings else [_(texts.BOARD_EMPTY)]
    lines += [
        _(
            texts.BOARD_LINE,
            rank=s.rank,
            name=s.name,
            amount=format_money(s.amount_fen, rules.currency),
            reports=s.reports,
        )
        for s in standings
    ]
    opted = (await claims_of(context).view(resident.id)).leaderboard_opt_in
    lines += ["", _(texts.BOARD_YOU_IN if opted else texts.BOARD_YOU_OUT)]
    button = (texts.LEAVE_BOARD_BUTTON, BOARD_OFF) if opted else (texts.JOIN_BOARD_BUTTON, BOARD_ON)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton(_(button[0]), callback_data=button[1])]])
    await _reply(update.effective_message, "\n".join(lines), markup)
    raise ApplicationHandlerStop

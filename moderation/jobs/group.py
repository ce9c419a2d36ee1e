"""The moderators' Telegram group, Telegram side: posting a submitted report and keeping its message current.

`post_report` sends the report's first photo (the stored cleaned JPEG, as bytes) or a text, with the
action buttons; `close_post` removes them once the report leaves `submitted` by any route (web admin,
merge). `show` edits the message to what its record says; the button handler shares it. Group messages
are written in `settings.default_locale`.
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo

from arq import Retry
from arq.worker import Function, func
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut
from telegram.ext import ExtBot

from bot.config import Settings
from bot.i18n import Translator
from bot.outbound import retry_after_s
from bot.reports.models import Photo, Report, StatusChange
from bot.reports.statuses import Status
from bot.services import services_of
from bot.storage import PhotoStorage
from moderation.decisions import SEVERITY_LABELS
from moderation.group import (
    ACCEPT_BUTTON,
    BACK_IN_QUEUE,
    BUTTON_REJECTIONS,
    BUTTON_SEVERITIES,
    GROUP_CLOSE_JOB,
    GROUP_POST_JOB,
    OPEN_IN_ADMIN,
    POST_BODY,
    GroupAction,
    callback_data,
    change_post,
    claim_post,
    exit_note,
    last_exit,
    mark_posted,
    mark_shown,
    post_for,
    release,
    render,
)
from moderation.models import GroupPost
from moderation.notifications import category_label

log = logging.getLogger(__name__)
MAX_TRIES = 5


def keyboard(report_id: int, _: Translator, settings: Settings) -> InlineKeyboardMarkup:
    """Accept at a severity, reject with a template, and (on an https deployment) open the report page."""
    accept = [
        InlineKeyboardButton(
            _(ACCEPT_BUTTON, severity=_(SEVERITY_LABELS[severity])),
            callback_data=callback_data(GroupAction.ACCEPT, report_id, severity),
        )
        for severity in BUTTON_SEVERITIES
    ]
    reject = [
        InlineKeyboardButton(_(label), callback_data=callback_data(GroupAction.REJECT, report_id, key))
        for key, label in BUTTON_REJECTIONS.items()
    ]
    rows = [accept, *(reject[start : start + 2] for start in range(0, len(reject), 2))]
    if settings.public_url.startswith("https://"):  # Telegram refuses other URLs on buttons
        link = f"{settings.public_url.rstrip('/')}/admin/reports/{report_id}"
        rows.append([InlineKeyboardButton(_(OPEN_IN_ADMIN), url=link)])
    return InlineKeyboardMarkup(rows)


async def show(bot: ExtBot[Any], post: GroupPost, settings: Settings) -> None:
    """Edit the message to its record's text and buttons; a message that is gone is left alone.

    RetryAfter propagates (a job defers itself; the next job touching the post shows it)."""
    version = post.version
    if post.message_id is None or post.shown_version >= version:
        return
    # An edit without a keyboard removes the buttons (Telegram's rule for editMessageText/Caption).
    markup = keyboard(post.report_id, Translator(settings.default_locale), settings) if post.open else None
    try:
        if post.has_photo:
            await bot.edit_message_caption(
                chat_id=post.chat_id, message_id=post.message_id, caption=render(post), reply_markup=markup
            )
        else:
            await bot.edit_message_text(
                render(post), chat_id=post.chat_id, message_id=post.message_id, reply_markup=markup
            )
    except (BadRequest, Forbidden) as error:  # deleted, unchanged, or the bot left the group
        log.info("group post of report %s not edited: %s", post.report_id, error)
    await mark_shown(post, version)


async def _show(ctx: dict[str, Any], post: GroupPost) -> None:
    try:
        await show(services_of(ctx).bot, post, services_of(ctx).settings)
    except RetryAfter as error:
        raise Retry(defer=retry_after_s(error)) from error


def post_body(ctx: dict[str, Any], report: Report, _: Translator) -> str:
    settings: Settings = services_of(ctx).settings
    due = report.moderation_due_at
    local_due = f"{due.astimezone(ZoneInfo(settings.local_timezone)):%Y-%m-%d %H:%M}" if due else "-"
    return _(
        POST_BODY,
        id=report.id,
        category=category_label(services_of(ctx).categories, report.category, _),
        area=services_of(ctx).areas.label(report.area, _.locale),
        lat=report.lat,
        lon=report.lon,
        due=f"{local_due} ({settings.local_timezone})" if due else local_due,
        description=report.description or "-",
    )


async def first_photo(storage: PhotoStorage, report_id: int) -> bytes | None:
    """The stored, cleaned JPEG of the report's first photo (never a Telegram file URL)."""
    photo = await Photo.filter(report_id=report_id).order_by("position", "id").first()
    if photo is None:
        return None
    try:
        return await storage.get(photo.storage_key)
    except KeyError:
        log.warning("photo %s of report %s is missing from storage", photo.id, report_id)
        return None


async def _change_and_report(ctx: dict[str, Any], change_id: int) -> tuple[StatusChange, Report] | None:
    change = await StatusChange.get_or_none(id=change_id)
    if services_of(ctx).settings.moderators_chat_id is None or change is None:
        return None
    return change, await Report.get(id=change.report_id)


async def post_report(ctx: dict[str, Any], change_id: int) -> str:
    """Post a submitted report to the group once; a report back from its reporter gets its buttons again."""
    loaded = await _change_and_report(ctx, change_id)
    if loaded is None:
        return "off"
    report, settings = loaded[1], services_of(ctx).settings
    if report.status != Status.SUBMITTED:
        return "not awaiting moderation"
    assert settings.moderators_chat_id is not None  # checked by _change_and_report
    post = await post_for(report.id, settings.moderators_chat_id)
    if post is None:
        return await _post_new(ctx, report)
    await change_post(post, open_=True, note=Translator(settings.default_locale)(BACK_IN_QUEUE))
    await _show(ctx, post)
    return "posted before"


async def _post_new(ctx: dict[str, Any], report: Report) -> str:
    settings: Settings = services_of(ctx).settings
    chat_id, _ = settings.moderators_chat_id, Translator(settings.default_locale)
    assert chat_id is not None
    photo = await first_photo(services_of(ctx).storage, report.id)
    post = await claim_post(report, chat_id, body=post_body(ctx, report, _), has_photo=photo is not None)
    if post is None:
        return "already posted"
    markup = keyboard(report.id, _, settings)
    try:
        message: Message = await (
            services_of(ctx).bot.send_photo(chat_id, photo, caption=render(post), reply_markup=markup)
            if photo is not None
            else services_of(ctx).bot.send_message(chat_id, render(post), reply_markup=markup)
        )
    except RetryAfter as error:
        await release(post)
        raise Retry(defer=retry_after_s(error)) from error
    except TimedOut:  # it may have been posted after all: never risk a second post
        log.warning("posting report %s to the moderators' group timed out", report.id)
        return "unknown"
    except (BadRequest, Forbidden) as error:  # e.g. a wrong chat id, or the bot is not in the group
        await release(post)
        log.warning("could not post report %s to the moderators' group: %s", report.id, error)
        return "failed"
    except Exception:
        await release(post)  # not sent (e.g. refused connection): arq retries the job
        raise
    await mark_posted(post, message.message_id)
    await _close_if_moved_on(ctx, report.id, post)
    return "posted"


async def _close_if_moved_on(ctx: dict[str, Any], report_id: int, post: GroupPost) -> None:
    """A decision taken while the message was being sent found no message to close: close it now."""
    report, change = await Report.get(id=report_id), await last_exit(report_id)
    if report.status != Status.SUBMITTED and change is not None:
        await change_post(post, open_=False, note=await exit_note(report, change, _group_translator(ctx)))
        await _show(ctx, post)


def _group_translator(ctx: dict[str, Any]) -> Translator:
    return Translator(services_of(ctx).settings.default_locale)


async def close_post(ctx: dict[str, Any], change_id: int) -> str:
    """The report left `submitted`: remove the post's buttons and say what happened."""
    loaded = await _change_and_report(ctx, change_id)
    if loaded is None:
        return "off"
    change, report = loaded
    if report.status == Status.SUBMITTED:
        return "back awaiting moderation"  # a later change brought it back: the buttons stay
    chat_id = services_of(ctx).settings.moderators_chat_id
    assert chat_id is not None  # checked by _change_and_report
    post = await post_for(report.id, chat_id)
    if post is None or post.message_id is None:
        return "no post"  # not posted (yet: the posting job closes it itself)
    await change_post(post, open_=False, note=await exit_note(report, change, _group_translator(ctx)))
    await _show(ctx, post)
    return "closed"


FUNCTIONS: list[Function] = [
    func(post_report, name=GROUP_POST_JOB, max_tries=MAX_TRIES),
    func(close_post, name=GROUP_CLOSE_JOB, max_tries=MAX_TRIES),
]

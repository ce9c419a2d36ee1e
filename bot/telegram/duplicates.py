"""Telegram side of the DUPLICATES step: one card per open report nearby, with its thumbnail.

Each card is a photo message (the stored thumbnail) whose caption gives the report number, category,
status, distance and age, with its own "This is it" button; the question with "Mine is new" follows.
"""

from __future__ import annotations

from telegram import Message

from bot.i18n import Translator
from bot.reports.categories import by_key
from bot.reports.dedup import DuplicateCheck, Nearby
from bot.services import Services
from bot.telegram import keyboards
from bot.telegram.dedup_texts import CANDIDATE_CARD, DESCRIPTION_TEASER_CHARS, SUPPORTERS, age_text
from bot.telegram.texts import STATUS_NAMES


def card_text(near: Nearby, supporters: int, _: Translator, services: Services) -> str:
    report = near.report
    category = by_key(services.intake.rules.categories, report.category)
    text = _(
        CANDIDATE_CARD,
        id=report.id,
        category=_(category.label) if category else report.category,
        status=_(STATUS_NAMES.get(report.status, report.status)),
        distance_m=round(near.distance_m),
        age=age_text(near.age, _),
    )
    if supporters:
        text += "\n" + _(SUPPORTERS, count=supporters)
    if report.description:
        teaser = report.description[:DESCRIPTION_TEASER_CHARS]
        text += "\n" + (teaser + "…" if len(report.description) > DESCRIPTION_TEASER_CHARS else teaser)
    return text


async def send_candidates(message: Message, check: DuplicateCheck, _: Translator, services: Services) -> None:
    """One card per candidate, nearest first; a report without a readable thumbnail gets a text card."""
    for near in check.candidates:
        caption = card_text(near, check.supporters.get(near.report.id, 0), _, services)
        markup = keyboards.this_is_it(_, near.report.id)
        thumbnail = await _thumbnail(services, check.thumbnail_keys.get(near.report.id))
        if thumbnail is None:
            await message.reply_text(caption, reply_markup=markup)
        else:
            await message.reply_photo(thumbnail, caption=caption, reply_markup=markup)


async def _thumbnail(services: Services, key: str | None) -> bytes | None:
    if key is None:
        return None
    try:
        return await services.intake.storage.get(key)
    except KeyError:  # the file is gone (storage restored without it): the text card still works
        return None

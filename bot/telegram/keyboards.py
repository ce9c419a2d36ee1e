"""Keyboards and callback-data constants (callback data is at most 64 bytes: short prefixed keys)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import Translator
from bot.reports.categories import Category
from bot.reports.intake import Step
from bot.telegram.dedup_texts import DEDUP_BUTTONS
from bot.telegram.texts import BUTTONS

USE_PHOTO_LOCATION = "loc:yes"
OTHER_LOCATION = "loc:no"
DANGER_YES = "dg:yes"
DANGER_NO = "dg:no"
DANGER_SAFE = "dg:safe"  #: after an emergency: everyone is safe, go on filing
CATEGORY_PREFIX = "cat:"
SKIP_DESCRIPTION = "desc:skip"
CONFIRM_SUBMIT = "cf:yes"
CONFIRM_CANCEL = "cf:no"
LANGUAGE_PREFIX = "lang:"
DUPLICATE_PREFIX = "dup:"  # "dup:<report id>" is "this is it", "dup:new" is "mine is new"
DUPLICATE_NEW = "dup:new"

#: The step each intake button answers (by its data's prefix): tapped at any other step it has expired.
BUTTON_STEPS: dict[str, Step] = {
    "loc:": Step.EXIF_LOCATION,
    DANGER_SAFE: Step.EMERGENCY,
    "dg:": Step.DANGER,
    CATEGORY_PREFIX: Step.CATEGORY,
    DUPLICATE_PREFIX: Step.DUPLICATES,
    SKIP_DESCRIPTION: Step.DESCRIPTION,
    "cf:": Step.CONFIRM,
}


def button_step(data: str) -> Step | None:
    """The step a button's data answers (None: no intake button sends it, e.g. one of an older version)."""
    return next((step for prefix, step in BUTTON_STEPS.items() if data.startswith(prefix)), None)


def inline(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def use_photo_location(tr: Translator) -> InlineKeyboardMarkup:
    return inline([[(tr(BUTTONS["yes_use"]), USE_PHOTO_LOCATION), (tr(BUTTONS["no_other"]), OTHER_LOCATION)]])


def request_location(tr: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(tr(BUTTONS["send_location"]), request_location=True)]],
        one_time_keyboard=True,
        resize_keyboard=True,
    )


def danger(tr: Translator) -> InlineKeyboardMarkup:
    return inline([[(tr(BUTTONS["danger_yes"]), DANGER_YES)], [(tr(BUTTONS["danger_no"]), DANGER_NO)]])


def everyone_safe(tr: Translator) -> InlineKeyboardMarkup:
    return inline([[(tr(BUTTONS["everyone_safe"]), DANGER_SAFE)]])


def categories(tr: Translator, available: tuple[Category, ...]) -> InlineKeyboardMarkup:
    return inline([[(tr(category.label), CATEGORY_PREFIX + category.key)] for category in available])


def skip_description(tr: Translator) -> InlineKeyboardMarkup:
    return inline([[(tr(BUTTONS["skip"]), SKIP_DESCRIPTION)]])


def confirm(tr: Translator) -> InlineKeyboardMarkup:
    return inline([[(tr(BUTTONS["submit"]), CONFIRM_SUBMIT), (tr(BUTTONS["cancel"]), CONFIRM_CANCEL)]])


def this_is_it(tr: Translator, report_id: int) -> InlineKeyboardMarkup:
    return inline([[(tr(DEDUP_BUTTONS["this_is_it"]), f"{DUPLICATE_PREFIX}{report_id}")]])


def mine_is_new(tr: Translator) -> InlineKeyboardMarkup:
    return inline([[(tr(DEDUP_BUTTONS["mine_is_new"]), DUPLICATE_NEW)]])


def languages() -> InlineKeyboardMarkup:
    return inline([[("简体中文", LANGUAGE_PREFIX + "zh_CN"), ("English", LANGUAGE_PREFIX + "en")]])

"""The field's inline keyboards (callback data: "fc:" crews, "fv:" verification, "fp:" patrol; 64 bytes at most)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, KeyboardButton, ReplyKeyboardMarkup

from bot.i18n import Translator
from bot.reports.categories import Category
from field import texts
from field.crews import Action, callback_data
from field.patrol import CALLBACK_PREFIX as PATROL_PREFIX
from field.verification import callback_data as verify_data


def _markup(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def card(report_id: int, _: Translator) -> InlineKeyboardMarkup:
    """Every crew button on every card: each press is checked when it comes, so a card never goes stale silently."""
    return _markup(
        [
            [
                (_(texts.TAKE), callback_data(Action.TAKE, report_id)),
                (_(texts.NOT_OURS), callback_data(Action.NOT_OURS, report_id)),
            ],
            [
                (_(texts.ON_SITE), callback_data(Action.ON_SITE, report_id)),
                (_(texts.FIXED), callback_data(Action.FIXED, report_id)),
            ],
            [(_(texts.MORE_TIME), callback_data(Action.MORE_TIME, report_id))],
        ]
    )


def reasons(report_id: int, _: Translator, action: Action, choices: dict[str, str]) -> InlineKeyboardMarkup:
    return _markup([[(_(label), callback_data(action, report_id, key))] for key, label in choices.items()])


def extra_days(report_id: int, _: Translator) -> InlineKeyboardMarkup:
    return _markup(
        [[(_(label), callback_data(Action.DAYS, report_id, str(days))) for days, label in texts.EXTRA_DAYS.items()]]
    )


def no_photo(report_id: int, _: Translator) -> InlineKeyboardMarkup:
    return _markup([[(_(texts.NO_PHOTO), callback_data(Action.NO_PHOTO, report_id))]])


def verify(report_id: int, _: Translator) -> InlineKeyboardMarkup:
    return _markup(
        [[(_(texts.YES_FIXED), verify_data(report_id, True))], [(_(texts.STILL_THERE), verify_data(report_id, False))]]
    )


def patrol_categories(categories: tuple[Category, ...], _: Translator) -> InlineKeyboardMarkup:
    """Two per row: a patrol's category is one tap, on a phone, without scrolling."""
    buttons = [(_(category.label), PATROL_PREFIX + category.key) for category in categories]
    return _markup([buttons[start : start + 2] for start in range(0, len(buttons), 2)])


def send_location(_: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_(texts.SEND_MY_LOCATION), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )

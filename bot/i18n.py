"""Translations from `locales/<lang>/LC_MESSAGES/messages.po`, compiled in memory at first use."""

from __future__ import annotations

import gettext
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DEFAULT_LOCALE = "zh_CN"
KNOWN_LOCALES = ("zh_CN", "en")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction only"
    """Mark `message` for extraction; it is translated later, in the reader's language."""
    return message


def normalize_locale(code: str | None, fallback: str = DEFAULT_LOCALE) -> str:
    """Map a Telegram `language_code` ("zh-hans", "en-US", "ru") to one of KNOWN_LOCALES."""
    if not code:
        return fallback
    lowered = code.replace("-", "_").lower()
    if lowered.startswith("zh"):
        return "zh_CN"
    if lowered.startswith("en"):
        return "en"
    return fallback


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """Compile the .po file once per process; English falls back to the source strings."""
    po_path = LOCALES_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return gettext.NullTranslations()
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def gettext_for(locale: str, message: str) -> str:
    return translations(locale).gettext(message)


class Translator:
    """`_` bound to one reader's language."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._translations = translations(locale)

    def __call__(self, message: str, **params: object) -> str:
        text = self._translations.gettext(message)
        return text % params if params else text

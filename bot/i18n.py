"""Translations from `locales/<lang>/LC_MESSAGES/*.po`, compiled in memory at first use.

Each feature keeps its own catalogue (`messages.po` for the kernel, `moderation.po`, `rewards.po`,
`broadcasts.po`), so features are translated independently; they are merged into one lookup.
"""

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


def _compile(po_path: Path, locale: str) -> gettext.GNUTranslations:
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=locale)
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def translations(locale: str) -> gettext.NullTranslations:
    """Compile every .po of `locale` once per process; missing strings fall back to the English source."""
    merged: gettext.NullTranslations = gettext.NullTranslations()
    for po_path in sorted((LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"), reverse=True):
        catalog = _compile(po_path, locale)
        catalog.add_fallback(merged)
        merged = catalog
    return merged


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

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        """The form for `n` things in the reader's language ("1 report", "2 reports"; one form in Chinese);
        `%(num)s` in the message is `n`."""
        return self._translations.ngettext(singular, plural, n) % {"num": n, **params}

"""`python -m bot.i18n_catalog FEATURE MAP.json`: merge {English: Chinese} pairs into FEATURE's catalogues.

Developers add translations with this (or edit the .po by hand); `python -m bot.i18n_check` then verifies
that every string marked for translation has a zh_CN entry in some catalogue.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from bot.i18n import KNOWN_LOCALES, LOCALES_DIR


def _load(path: Path, locale: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, project="safecity")
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def merge(feature: str, zh_by_english: dict[str, str]) -> None:
    for locale in KNOWN_LOCALES:
        path = LOCALES_DIR / locale / "LC_MESSAGES" / f"{feature}.po"
        catalog = _load(path, locale)
        for english, chinese in zh_by_english.items():
            flags = ["python-format"] if "%(" in english else []
            catalog.add(english, chinese if locale == "zh_CN" else "", flags=flags)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=True)


if __name__ == "__main__":
    merge(sys.argv[1], json.loads(Path(sys.argv[2]).read_text(encoding="utf-8")))

"""`python -m bot.i18n_check`: fail when a string marked for translation has no zh_CN translation in any catalogue."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

from bot.i18n import LOCALES_DIR


def _done(string: str | tuple[str, ...] | list[str] | None) -> bool:
    """Translated: a plural message needs every form (a tuple of empty strings is not a translation)."""
    return all(string) if isinstance(string, tuple | list) else bool(string)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "messages.pot"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "extract",
                "-F",
                "babel.cfg",
                "-k",
                "N_",
                "-k",
                "_",
                "--no-location",
                "--sort-output",
                "-o",
                str(fresh),
                ".",
            ],
            check=True,
            cwd=LOCALES_DIR.parent,
            capture_output=True,
        )
        with fresh.open("rb") as handle:
            wanted = {message.id for message in read_po(handle) if message.id}
    zh = _translations("zh_CN")
    missing = sorted(str(msgid) for msgid in wanted if not zh.get(msgid))
    for msgid in missing:
        print(f"untranslated in zh_CN (run `make messages` and translate): {msgid!r}")
    clashes = _clashes(zh)
    for msgid, strings in clashes:
        print(f"two zh_CN translations, only one shows at run time: {msgid!r} {strings}")
    return 1 if missing or clashes else 0


def _translations(locale: str) -> dict[object, set[str]]:
    """Every translation of each message id, over all of the locale's catalogues."""
    found: dict[object, set[str]] = {}
    for po_path in (LOCALES_DIR / locale / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and _done(message.string):
                    found.setdefault(message.id, set()).add(str(message.string))
    return found


def _clashes(found: dict[object, set[str]]) -> list[tuple[str, list[str]]]:
    """The catalogues are merged into one lookup, so one id with two translations shows only one of them."""
    return sorted((str(msgid), sorted(strings)) for msgid, strings in found.items() if len(strings) > 1)


if __name__ == "__main__":
    raise SystemExit(main())

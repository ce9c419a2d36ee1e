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
    zh: dict[object, object] = {}
    for po_path in (LOCALES_DIR / "zh_CN" / "LC_MESSAGES").glob("*.po"):
        with po_path.open("rb") as handle:
            zh.update(
                {message.id: message.string for message in read_po(handle) if message.id and _done(message.string)}
            )
    missing = sorted(str(msgid) for msgid in wanted if not zh.get(msgid))
    for msgid in missing:
        print(f"untranslated in zh_CN (run `make messages` and translate): {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""A partner's description as plain text: GeoReport v2 allows line breaks "but not html or code"."""

from __future__ import annotations

import html
import re

import nh3

_BREAKS = re.compile(r"<\s*(br|/p|/div|/li)\s*/?\s*>", re.IGNORECASE)
#: Markup escaped once (&lt;b&gt;) is markup too; a few rounds reach text that has none.
MAX_ROUNDS = 3


def plain_text(text: str) -> str:
    """Tags removed (a line break kept for <br>, </p>, </div>, </li>), script and style bodies dropped, entities
    decoded, surrounding space trimmed."""
    current = text.replace("\r\n", "\n")
    for _ in range(MAX_ROUNDS):
        stripped = html.unescape(nh3.clean(_BREAKS.sub("\n", current), tags=set()))
        if stripped == current:
            break
        current = stripped
    return current.strip()

"""A bulletin as CSV (one row per figure, headed in the reader's language) for the officials' spreadsheets."""

from __future__ import annotations

import csv
from io import StringIO
from typing import Any

from bot.city.grid import Grid
from bot.i18n import N_, Translator

SECTION_DISTRICT = N_("district")
SECTION_LEVEL_CHANGE = N_("level change")
SECTION_URGENT = N_("urgent hazard")
HEADER = (N_("section"), N_("place"), N_("key"), N_("figure"), N_("value"))
FIGURES = {"filed": N_("reports filed"), "new": N_("new hazards"), "fixed": N_("fixed"), "overdue": N_("overdue")}


def bulletin_csv(data: dict[str, Any], grid: Grid, _: Translator) -> str:
    out = StringIO()
    writer = csv.writer(out)
    writer.writerow([_(name) for name in HEADER])
    for key, row in data["districts"].items():
        for figure, value in row.items():
            writer.writerow([_(SECTION_DISTRICT), grid.label(key or None, _.locale), key, _(FIGURES[figure]), value])
    for change in data["level_changes"]:
        place = grid.label(change["cell"], _.locale)
        writer.writerow([_(SECTION_LEVEL_CHANGE), place, change["cell"], change["from"] or "", change["to"]])
    for hazard in data["urgent"]:
        place = grid.label(hazard["district"], _.locale)
        writer.writerow([_(SECTION_URGENT), place, hazard["id"], hazard["category"], hazard["severity"] or ""])
    return out.getvalue()

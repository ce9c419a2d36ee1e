"""A bulletin in words, in one language: its title, the Telegram summary, the PNG's legend."""

from __future__ import annotations

from typing import Any

from bot.city.grid import Grid
from bot.i18n import N_, Translator
from bot.reports.categories import Category
from risk import texts
from risk.bulletin import end_label, totals
from risk.levels import LEVEL_LABELS
from risk.models import Bulletin
from risk.periods import local_date

POINTS_LEGEND = N_("hazards confirmed this period")
SEVERITY_NAMES = {"low": N_("low"), "medium": N_("medium"), "high": N_("high"), "critical": N_("critical")}


def title(bulletin: Bulletin, zone_name: str, _: Translator) -> str:
    start = local_date(bulletin.period_start, zone_name)
    if bulletin.kind == "month":
        return _(texts.BULLETIN_MONTH_TITLE, month=start.strftime("%Y-%m"))
    end = end_label(local_date(bulletin.period_end, zone_name))
    return _(texts.BULLETIN_WEEK_TITLE, start=start.isoformat(), end=end.isoformat())


def legend(_: Translator) -> dict[str, str]:
    return {**{level.value: _(label) for level, label in LEVEL_LABELS.items()}, "points": _(POINTS_LEGEND)}


def summary(
    bulletin: Bulletin,
    data: dict[str, Any],
    grid: Grid,
    categories: tuple[Category, ...],
    *,
    zone_name: str,
    _: Translator,
    link: str,
) -> str:
    """The Telegram message: totals, each district, the most urgent hazards, the link to the archive."""
    total = totals(data)
    lines = [
        _(
            texts.BULLETIN_SUMMARY,
            title=title(bulletin, zone_name, _),
            new=total.get("new", 0),
            fixed=total.get("fixed", 0),
            overdue=total.get("overdue", 0),
            red=total["red"],
            orange=total["orange"],
            changes=total["changes"],
        ),
        "",
    ]
    for key, row in data["districts"].items():
        if key or any(row.values()):
            lines.append(_(texts.BULLETIN_DISTRICT_LINE, district=grid.label(key or None, _.locale), **row))
    names = {category.key: category.label for category in categories}
    if data["urgent"]:
        lines += ["", _(texts.BULLETIN_URGENT_HEADER)]
    for hazard in data["urgent"][:10]:
        lines.append(
            _(
                texts.BULLETIN_URGENT_LINE,
                id=hazard["id"],
                category=_(names.get(hazard["category"], hazard["category"])),
                district=grid.label(hazard["district"], _.locale),
                severity=_(SEVERITY_NAMES.get(hazard["severity"] or "", "-")),
                overdue=_(texts.OVERDUE_MARK) if hazard["overdue"] else "",
            )
        )
    if link:
        lines += ["", _(texts.BULLETIN_LINK, link=link)]
    return "\n".join(lines)

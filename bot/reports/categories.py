"""Hazard categories: built-in defaults, optionally replaced by a JSON file setting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from bot.i18n import N_


@dataclass(frozen=True)
class Category:
    key: str  #: stable id, stored on reports and used in callback data (keep it short)
    label: str  #: English source text; translated at render time
    duplicate_radius_m: int = 250  #: how far to look for the same hazard


DEFAULT_CATEGORIES: tuple[Category, ...] = (
    Category("ebike", N_("E-bike charging or parking indoors / in corridors"), 50),
    Category("fire_exit", N_("Blocked fire exit or escape route"), 50),
    Category("three_in_one", N_('"Three-in-one" premises (living, production, storage)'), 50),
    Category("rental_fire", N_("Rental-housing fire hazard"), 50),
    Category("traffic", N_("Road or traffic hazard")),
    Category("drowning", N_("Drowning risk (unfenced water, missing signs)"), 500),
    Category("construction", N_("Construction or falling-object hazard")),
    Category("public_order", N_("Public-order trouble")),
    Category("other", N_("Other hazard")),
)


def load_categories(path: Path | None) -> tuple[Category, ...]:
    """Return the configured categories: a JSON list of {key, label, duplicate_radius_m}."""
    if path is None:
        return DEFAULT_CATEGORIES
    raw = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        Category(str(item["key"]), str(item["label"]), int(item.get("duplicate_radius_m", 250))) for item in raw
    )


def by_key(categories: tuple[Category, ...], key: str) -> Category | None:
    return next((category for category in categories if category.key == key), None)

"""Agencies and routing: which agency handles a category in an area, and keeping the agency list.

An agency with no categories (or no areas) handles every category (or area); the most specific
match wins, so a district's e-bike unit beats a city-wide catch-all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.admin.audit import EventTag, record
from bot.city.models import Agency


@dataclass(frozen=True)
class AgencyForm:
    """An agency as typed in the admin or a seed file (lists are keys)."""

    key: str
    name: str
    name_zh: str = ""
    categories: tuple[str, ...] = ()
    areas: tuple[str, ...] = ()
    telegram_chat_id: int | None = None
    supervisor_chat_id: int | None = None
    active: bool = True


def handles(agency: Agency, category: str, area: str | None) -> bool:
    categories, areas = list(agency.categories or []), list(agency.areas or [])
    return (not categories or category in categories) and (not areas or area in areas)


def specificity(agency: Agency) -> int:
    """2 for a category-and-area match, 1 for one of them, 0 for a catch-all."""
    return int(bool(agency.categories)) + int(bool(agency.areas))


async def responsible_agency(category: str, area: str | None) -> Agency | None:
    """The active agency for this queue (category x area): most specific first, then the oldest."""
    matching = [agency for agency in await Agency.filter(active=True).order_by("id") if handles(agency, category, area)]
    if not matching:
        return None
    return max(matching, key=lambda agency: (specificity(agency), -agency.id))


async def save_agency(form: AgencyForm, *, actor: str, now: datetime) -> Agency:
    """Create or update the agency with this key."""
    if not form.key or not form.name:
        raise ValueError("an agency needs a key and a name")
    values = {
        "name": form.name,
        "name_zh": form.name_zh,
        "categories": list(form.categories),
        "areas": list(form.areas),
        "telegram_chat_id": form.telegram_chat_id,
        "supervisor_chat_id": form.supervisor_chat_id,
        "active": form.active,
    }
    agency, created = await Agency.get_or_create(key=form.key, defaults=values)
    if not created:
        if all(getattr(agency, name) == value for name, value in values.items()):
            return agency  # nothing changed (a seed file re-read at start): nothing to audit
        await agency.update_from_dict(values).save()
    await record(actor, EventTag.AGENCY_SAVE, now=now, key=form.key, created=created, values=values)
    return agency


def read_seed(path: Path) -> list[AgencyForm]:
    """A JSON list of {key, name, name_zh?, categories?, areas?, telegram_chat_id?, supervisor_chat_id?, active?}."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return [
        AgencyForm(
            key=str(item["key"]),
            name=str(item["name"]),
            name_zh=str(item.get("name_zh", "")),
            categories=tuple(item.get("categories", [])),
            areas=tuple(item.get("areas", [])),
            telegram_chat_id=item.get("telegram_chat_id"),
            supervisor_chat_id=item.get("supervisor_chat_id"),
            active=bool(item.get("active", True)),
        )
        for item in raw
    ]


async def seed_agencies(path: Path, *, now: datetime, only_missing: bool = False) -> int:
    """Upsert every agency of the seed file (safe at each start); `only_missing`: add only the agencies whose
    key is not there yet, leaving the others as staff edited them."""
    forms = read_seed(path)
    if only_missing:
        known = {str(key) for key in await Agency.filter(key__in=[f.key for f in forms]).values_list("key", flat=True)}
        forms = [form for form in forms if form.key not in known]
    for form in forms:
        await save_agency(form, actor="system:seed", now=now)
    return len(forms)

"""Who did it, in words: the actors stored on status changes and audit events ("staff:3", "resident:42",
"system:sla", "partner:2") as a staff member's name, the reporter, a resident, the system or a partner system."""

from __future__ import annotations

from collections.abc import Iterable

from bot.admin.models import StaffUser
from bot.i18n import N_, Translator
from bot.reports.models import Resident

THE_REPORTER = N_("the reporter")
A_RESIDENT = N_("resident %(name)s")
THE_SYSTEM = N_("SafeCity (automatic)")
A_PARTNER = N_("a partner system (open API)")
SOMEONE = N_("unknown")


def _ids(actors: Iterable[str], prefix: str) -> set[int]:
    found = set()
    for actor in actors:
        kind, _, rest = actor.partition(":")
        if kind == prefix and rest.isdigit():
            found.add(int(rest))
    return found


async def actor_names(actors: Iterable[str], _: Translator, *, reporter_id: int | None = None) -> dict[str, str]:
    """Every actor's name for the reader; staff by their display name, the report's own reporter as such."""
    actors = set(actors)
    staff = {
        row_id: name or username
        for row_id, name, username in await StaffUser.filter(id__in=sorted(_ids(actors, "staff"))).values_list(
            "id", "display_name", "username"
        )
    }
    residents = dict(await Resident.filter(id__in=sorted(_ids(actors, "resident"))).values_list("id", "first_name"))
    names = {}
    for actor in actors:
        kind, _sep, rest = actor.partition(":")
        number = int(rest) if rest.isdigit() else None
        if kind == "staff" and number in staff:
            names[actor] = str(staff[number])
        elif kind == "resident" and number is not None and number == reporter_id:
            names[actor] = _(THE_REPORTER)
        elif kind == "resident" and number is not None:
            names[actor] = _(A_RESIDENT, name=residents.get(number) or number)
        elif kind == "system":
            names[actor] = _(THE_SYSTEM)
        elif kind in ("partner", "open311"):
            names[actor] = _(A_PARTNER)
        else:
            names[actor] = _(SOMEONE)
    return names

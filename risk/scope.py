"""What a staff member may see of the map, the trends and the bulletins: moderators only their districts
(and categories); officials and admins the whole city."""

from __future__ import annotations

from dataclasses import dataclass

from bot.admin.accounts import Role, has_role
from bot.admin.models import StaffUser
from bot.reports.spatial import Filter, in_list


@dataclass(frozen=True)
class Scope:
    districts: frozenset[str] | None = None  #: None: every district (and places outside all of them)
    categories: frozenset[str] | None = None  #: None: every category

    def sees_district(self, district: str | None) -> bool:
        return self.districts is None or district in self.districts

    def sees_category(self, category: str) -> bool:
        return self.categories is None or category in self.categories

    def report_filters(self, alias: str = "r") -> list[Filter]:
        """SQL conditions on `report AS <alias>` keeping only what the scope covers."""
        filters = []
        if self.districts is not None:
            filters.append(in_list(f"{alias}.area", self.districts) if self.districts else ("1 = 0", []))
        if self.categories is not None:
            filters.append(in_list(f"{alias}.category", self.categories) if self.categories else ("1 = 0", []))
        return filters

    def orm_filters(self) -> dict[str, list[str]]:
        """The same as keyword filters for the ORM (`Report.filter(**scope.orm_filters())`)."""
        filters = {}
        if self.districts is not None:
            filters["area__in"] = sorted(self.districts)
        if self.categories is not None:
            filters["category__in"] = sorted(self.categories)
        return filters


EVERYWHERE = Scope()


def scope_of(staff: StaffUser) -> Scope:
    if has_role(staff, Role.OFFICIAL):
        return EVERYWHERE
    areas, categories = list(staff.areas or []), list(staff.categories or [])
    return Scope(frozenset(areas) if areas else None, frozenset(categories) if categories else None)

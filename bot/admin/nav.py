"""The admin's navigation for one reader: the entries their role may open, gathered into menus.

Twenty-odd pages do not fit one line (nor a phone), so features put most of theirs in a menu
(`NavItem.group`); a menu the reader would see with one entry shows as that entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.admin.accounts import has_role
from bot.admin.models import StaffUser
from bot.features import NavItem


@dataclass(frozen=True)
class NavEntry:
    """A top-level entry: a link (`items` has one item, `label` is its label) or a menu of several links."""

    label: str  #: English msgid
    items: tuple[NavItem, ...]

    @property
    def is_menu(self) -> bool:
        return len(self.items) > 1

    def holds(self, path: str) -> bool:
        """The page at `path` is one of its entries (or below one): the menu to mark as the current one."""
        return any(path == item.path or path.startswith(item.path + "/") for item in self.items)


def visible_items(items: Iterable[NavItem], staff: StaffUser | None) -> list[NavItem]:
    return [item for item in items if staff is not None and has_role(staff, item.role)]


def nav_entries(items: Iterable[NavItem], staff: StaffUser | None) -> list[NavEntry]:
    """The reader's entries in the order of their first item; items are already sorted by `order`."""
    entries: list[NavEntry] = []
    by_group: dict[str, int] = {}
    for item in visible_items(items, staff):
        if not item.group:
            entries.append(NavEntry(item.label, (item,)))
        elif item.group in by_group:
            index = by_group[item.group]
            entries[index] = NavEntry(item.group, (*entries[index].items, item))
        else:
            by_group[item.group] = len(entries)
            entries.append(NavEntry(item.group, (item,)))
    return [entry if entry.is_menu else NavEntry(entry.items[0].label, entry.items) for entry in entries]


def current_item(items: Iterable[NavItem], path: str) -> NavItem | None:
    """The entry the page at `path` belongs to: the longest path that is it or a prefix of it."""
    matching = [item for item in items if path == item.path or path.startswith(item.path + "/")]
    return max(matching, key=lambda item: len(item.path), default=None)

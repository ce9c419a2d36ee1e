"""What a feature package gives the kernel: one `Feature` description, built by its `feature()` function.

Every feature (moderation, rewards, broadcasts, ...) is a top-level package with the same anatomy:
`models.py`, its domain modules, `telegram.py` (bot handlers), `views/` + `templates/` (admin pages),
`jobs.py` (arq jobs), `reactions.py` (what it does when a report's status changes) and `texts.py`.
Its `__init__.py` has `feature() -> Feature`; `bot/composition.py` lists the features, and the web
process, the worker, the database setup and the admin navigation all loop over that one list.
"""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.admin.accounts import Role
from bot.i18n import N_

if TYPE_CHECKING:  # the kernel's transports; a feature's domain modules never see these
    import argparse

    from aiohttp import web
    from arq.cron import CronJob
    from arq.worker import Function

    from bot.config import Settings
    from bot.events import DomainEvent
    from bot.reports.models import Report, StatusChange
    from bot.services import Services
    from bot.telegram.context import BotApplication

ReactionFn = Callable[["Services", "StatusChange", "Report"], Awaitable[None]]
EventReactionFn = Callable[["Services", "DomainEvent"], Awaitable[None]]


@dataclass(frozen=True)
class Reaction:
    """A feature's reaction to a report's status change, run by the outbox (bot/reports/outbox.py).

    Runs after the change committed, at least once: a reaction must be idempotent (deterministic
    job ids, unique rows, a claim before a send), because a crash between its effect and the
    "done" record runs it again. `name` is stored per change once it is done: keep it stable.
    """

    name: str
    run: ReactionFn


@dataclass(frozen=True)
class EventReaction:
    """A feature's reaction to a domain event of one `kind` (bot/events.py), run by the same outbox as
    status reactions: at least once, so it must be idempotent; `name` is stored once it is done."""

    kind: str
    name: str
    run: EventReactionFn


#: The menus of the admin's navigation (English msgids): items of one menu are shown under one heading, so the
#: navigation fits one line; a menu with one item for the reader shows as that item.
NAV_OVERVIEW = N_("Overview")  #: dashboards, trends, bulletins
NAV_CITY = N_("City")  #: incidents, inspections, warnings, listed hazards
NAV_REWARDS = N_("Rewards")
NAV_BROADCASTS = N_("Broadcasts")
NAV_SETTINGS = N_("Settings")  #: agencies, rules, staff, the audit log, data exports and keys


@dataclass(frozen=True)
class NavItem:
    """One entry of the admin's navigation, shown to staff with at least `role`."""

    path: str
    label: str  #: English source, translated when rendered
    role: Role
    order: int = 50  #: position in the navigation, lowest first (the queue is 10, the staff page 95)
    group: str = ""  #: the menu it goes in (one of the NAV_* headings above); "" for a top-level entry


@dataclass(frozen=True)
class BotCommandSpec:
    """A command residents see in the bot's menu and in /help."""

    name: str
    description: str  #: English source, translated per reader


PanelContext = Callable[["Services", dict[str, Any]], Awaitable[dict[str, Any] | None]]


@dataclass(frozen=True)
class Panel:
    """A piece of a page that another feature (or the kernel) owns, so features meet without importing each other.

    The page's owner renders every panel registered for its `slot` (e.g. "report.side" beside the
    report page, "status.district" on the public status page), passing what it knows (the report, the
    district) as `params`; `context` returns the template's variables, or None to show nothing. Each
    page documents its slots and params where it calls `bot.admin.panels.render_panels`.
    """

    slot: str
    template: str  #: "<feature>/panels/<name>.html", rendered with `context`'s result
    context: PanelContext
    role: Role | None = None  #: the least role that sees it on admin pages; None: everyone who sees the page
    order: int = 50


class CommandError(Exception):
    """A refusal meant for the operator: printed as one line, exit status 2 (`python -m bot ...`)."""


@dataclass(frozen=True)
class CliCommand:
    """A `python -m bot <name> ...` command a feature adds (e.g. `python -m bot events import FILE`).

    `arguments` fills the command's own argparse parser; `run` gets the Settings and the parsed arguments with
    the ORM open (the kernel closes it afterwards), and raises `CommandError` for a refusal meant for
    the operator (one line, exit status 2).
    """

    name: str
    help: str  #: one line for `python -m bot --help` (operators' English, like the other commands)
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[Settings, argparse.Namespace], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    """Everything a feature plugs into the kernel; unused parts stay empty."""

    name: str  #: also its tortoise app label and its migrations package (`migrations/<name>`)
    models: tuple[str, ...] = ()  #: modules holding its tortoise models
    telegram: Callable[[BotApplication, int], None] | None = None  #: registers handlers in the given group
    commands: tuple[BotCommandSpec, ...] = ()
    routes: Callable[[web.Application], None] | None = None  #: adds its admin pages
    templates: Path | None = None  #: its `templates/` directory (pages render "<name>/page.html")
    #: Its `static/` directory, served at /admin/static/<name>/ (scripts live in files: the CSP forbids inline ones).
    static: Path | None = None
    nav: tuple[NavItem, ...] = ()
    jobs: tuple[Function, ...] = ()
    cron_jobs: tuple[CronJob, ...] = ()
    reactions: tuple[Reaction, ...] = ()
    event_reactions: tuple[EventReaction, ...] = ()
    panels: tuple[Panel, ...] = ()
    #: Called once per process at startup with the services (e.g. to seed rows from a settings file).
    on_startup: Callable[[Services], Awaitable[None]] | None = None
    cli: tuple[CliCommand, ...] = ()  #: its `python -m bot` commands

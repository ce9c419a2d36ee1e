"""Rewards' admin pages: grants, held rewards, payouts (officials); pools, campaigns (officials); rules (admins)."""

from __future__ import annotations

from aiohttp import web

from bot.admin.accounts import Role
from bot.features import NAV_REWARDS, NavItem, Panel
from bot.i18n import N_
from rewards.views import config, grants, rules
from rewards.views.panels import fraud_signals, held_rewards, paid_per_month

NAV = (
    NavItem("/admin/rewards", N_("Rewards"), Role.OFFICIAL, order=50, group=NAV_REWARDS),
    NavItem("/admin/rewards/held", N_("Held rewards"), Role.OFFICIAL, order=51, group=NAV_REWARDS),
    NavItem("/admin/rewards/payouts", N_("Payouts"), Role.OFFICIAL, order=52, group=NAV_REWARDS),
    NavItem("/admin/rewards/pools", N_("Budget pools"), Role.OFFICIAL, order=53, group=NAV_REWARDS),
    NavItem("/admin/rewards/campaigns", N_("Campaigns"), Role.OFFICIAL, order=54, group=NAV_REWARDS),
    NavItem("/admin/rewards/rules", N_("Reward rules"), Role.ADMIN, order=55, group=NAV_REWARDS),
)

#: The officials' dashboard shows the rewards paid per month (slot "dashboard"); their start page the held rewards
#: (slot "home"); the report page the signals a reward would be held for, beside the decision (slot "report.decide").
PANELS = (
    Panel("dashboard", "rewards/panels/paid.html", paid_per_month, role=Role.OFFICIAL),
    Panel("home", "rewards/panels/home.html", held_rewards, role=Role.OFFICIAL, order=30),
    Panel("report.decide", "rewards/panels/signals.html", fraud_signals, role=Role.MODERATOR, order=10),
)


def setup_routes(app: web.Application) -> None:
    grants.add_routes(app)
    config.add_routes(app)
    rules.add_routes(app)

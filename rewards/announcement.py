"""Announcing a reward campaign: the first draft of a broadcast, prefilled from the campaign.

Rewards owns campaigns (period, categories, multiplier); broadcasts only refer to one by id. The
campaigns page links to the broadcast form with these values in its query (`announce_url`), so the
two features meet through the admin's URLs, not through each other's code.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.reports.categories import Category
from rewards.models import Campaign
from rewards.texts import ANY_HAZARD, CAMPAIGN_ANNOUNCEMENT, CAMPAIGN_TITLE

BROADCAST_FORM = "/admin/broadcasts/new"


def announce_url(campaign: Campaign, locales: tuple[str, ...], categories: tuple[Category, ...], zone: ZoneInfo) -> str:
    """The broadcast form, prefilled to announce `campaign`."""
    query = {"campaign_id": str(campaign.id), **announcement_draft(campaign, locales, categories, zone)}
    return f"{BROADCAST_FORM}?{urlencode(query)}"


def announcement_draft(
    campaign: Campaign, locales: tuple[str, ...], categories: tuple[Category, ...], zone: ZoneInfo
) -> dict[str, str]:
    """Form values (title, a text per locale) announcing the campaign."""
    start = campaign.starts_at.astimezone(zone).date().isoformat()
    last_day = (campaign.ends_at - timedelta(seconds=1)).astimezone(zone).date().isoformat()  # ends_at is exclusive
    labels = {category.key: category.label for category in categories}
    values = {"title": Translator(locales[0])(CAMPAIGN_TITLE, name=campaign.name)[:128]}
    for locale in locales:
        _ = Translator(locale)
        named = ", ".join(_(labels.get(key, key)) for key in campaign.categories) or _(ANY_HAZARD)
        values[f"text_{locale}"] = _(
            CAMPAIGN_ANNOUNCEMENT,
            name=campaign.name,
            start=start,
            end=last_day,
            categories=named,
            multiplier=f"{campaign.multiplier_pct / 100:g}",
        )
    return values

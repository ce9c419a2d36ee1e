"""Announcing a reward campaign: a broadcast draft prefilled from the campaign.

The rewards feature owns campaigns (period, categories, multiplier) and applies them; a broadcast
only refers to one by id (`Broadcast.campaign_id`) and this module reads it to write the first draft.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.i18n import Translator
from bot.reports.categories import Category
from broadcasts.texts import ANY_HAZARD, CAMPAIGN_ANNOUNCEMENT, CAMPAIGN_TITLE
from rewards.models import Campaign


async def announcement_draft(
    campaign_id: int, locales: tuple[str, ...], categories: tuple[Category, ...], zone: ZoneInfo
) -> dict[str, str] | None:
    """Form values (title, a text per locale) announcing the campaign, or None when there is none."""
    campaign = await Campaign.get_or_none(id=campaign_id)
    if campaign is None:
        return None
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

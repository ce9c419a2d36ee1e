"""The "report.side" panel: on a report a partner system filed, which partner, its reference and answers."""

from __future__ import annotations

from typing import Any

from bot.services import Services
from opendata.models import ApiKey, PartnerRequest


async def partner_panel(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    report = params.get("report")
    partner = await PartnerRequest.get_or_none(report_id=getattr(report, "id", None)) if report else None
    if partner is None:
        return None
    key = await ApiKey.get(id=partner.api_key_id)
    return {"partner": partner, "partner_name": key.name}

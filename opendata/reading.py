"""Reading service requests and their updates: which reports a reader may see, in which order and page."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q, Subquery

from bot.i18n import Translator
from bot.reports.models import Report, StatusChange
from bot.reports.statuses import OPEN_STATUSES, Status
from opendata import errors, texts
from opendata.errors import Open311Error
from opendata.models import PartnerRequest
from opendata.queries import RequestQuery, UpdatesQuery
from opendata.records import DETAILED_STATUS, Context, record, related_to, w3c


def visible(context: Context) -> Q:
    """The public's reports, and the reader's own (a partner that passes its api_key sees what it filed)."""
    public = context.rules.listed()
    if context.partner_key_id is None:
        return public
    own = PartnerRequest.filter(api_key_id=context.partner_key_id).values("report_id")
    return public | Q(id__in=Subquery(own))


def _status_filter(statuses: tuple[str, ...]) -> Q:
    if set(statuses) in (set(), {"open", "closed"}):
        return Q()
    wanted = sorted(OPEN_STATUSES)
    return Q(status__in=wanted) if statuses == ("open",) else ~Q(status__in=wanted)


async def find_requests(
    query: RequestQuery, context: Context, _: Translator, *, extensions: bool
) -> list[dict[str, Any]]:
    reports = Report.filter(visible(context))
    if query.ids:
        reports = reports.filter(id__in=list(query.ids))
    else:
        reports = reports.filter(
            _status_filter(query.statuses),
            created_at__gte=query.window.start,
            created_at__lte=query.window.end,
        )
        if query.service_codes:
            reports = reports.filter(category__in=list(query.service_codes))
    rows = list(
        await reports.order_by("-created_at", "-id").offset((query.page - 1) * query.page_size).limit(query.page_size)
    )
    related = await related_to(rows)
    return [record(report, related, context, _, extensions=extensions) for report in rows]


async def one_request(report_id: int, context: Context, _: Translator, *, extensions: bool) -> dict[str, Any]:
    report = await Report.filter(visible(context), id=report_id).first()
    if report is None:
        raise Open311Error(404, errors.NO_SUCH_REQUEST, id=report_id)
    return record(report, await related_to([report]), context, _, extensions=extensions)


async def request_for_token(token: str) -> dict[str, Any]:
    partner = await PartnerRequest.get_or_none(token=token)
    if partner is None:
        raise Open311Error(404, errors.NO_SUCH_TOKEN, token=token)
    return {"service_request_id": partner.report_id, "token": partner.token}


async def find_updates(query: UpdatesQuery, context: Context, _: Translator) -> list[dict[str, Any]]:
    """FixMyStreet's servicerequestupdates: every status change of a visible report in the window, oldest first."""
    visible_ids = Report.filter(visible(context)).values("id")
    changes = list(
        await StatusChange.filter(
            report_id__in=Subquery(visible_ids),
            changed_at__gte=query.window.start,
            changed_at__lte=query.window.end,
        )
        .order_by("changed_at", "id")
        .offset((query.page - 1) * query.page_size)
        .limit(query.page_size)
    )
    own: set[int] = set()
    if context.partner_key_id is not None and changes:
        rows = await PartnerRequest.filter(
            api_key_id=context.partner_key_id, report_id__in=[c.report_id for c in changes]
        ).values("report_id")
        own = {int(row["report_id"]) for row in rows}
    return [_update(change, change.report_id in own, _) for change in changes]


def _update(change: StatusChange, own: bool, _: Translator) -> dict[str, Any]:
    note = change.public_note if own or change.to_status != Status.NEEDS_INFO else ""
    label = texts.STATUS_LABELS.get(change.to_status)
    return {
        "update_id": change.id,
        "service_request_id": change.report_id,
        "status": DETAILED_STATUS.get(change.to_status, change.to_status),
        "updated_datetime": w3c(change.changed_at),
        "description": note or (_(label) if label else change.to_status),
        "media_url": None,
        "external_status_code": change.to_status,
    }

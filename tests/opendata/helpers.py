"""An Open311 client over real HTTP for the conformance suite: every call in XML or JSON, parsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import aiohttp

from bot.reports.models import Report, Resident
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from opendata.keys import NewKey, create_key

BASE = "/open311/v2"


@dataclass
class Answer:
    status: int
    content_type: str
    text: str
    headers: Any

    def json(self) -> Any:
        import json

        return json.loads(self.text)

    def xml(self) -> ElementTree.Element:
        assert self.text.startswith('<?xml version="1.0" encoding="utf-8"?>'), self.text[:80]
        return ElementTree.fromstring(self.text.split("\n", 1)[1])


class Open311Client:
    def __init__(self, base_url: str) -> None:
        self.session = aiohttp.ClientSession(base_url)

    async def close(self) -> None:
        await self.session.close()

    async def get(self, path: str, **params: str) -> Answer:
        async with self.session.get(path, params=params) as response:
            return Answer(
                response.status, response.headers.get("Content-Type", ""), await response.text(), response.headers
            )

    async def post(self, path: str, data: Any) -> Answer:
        async with self.session.post(path, data=data) as response:
            return Answer(
                response.status, response.headers.get("Content-Type", ""), await response.text(), response.headers
            )


async def partner_key(name: str = "12345 hotline", rate_per_min: int = 600) -> NewKey:
    from tests.factories import FILED_AT

    return await create_key(name, rate_per_min, actor="staff:1", now=FILED_AT)


def xml_records(answer: Answer) -> list[dict[str, str]]:
    """<service_requests><request>... as dicts of text (children with children left out)."""
    return [{child.tag: child.text or "" for child in request} for request in answer.xml()]


def errors_of(answer: Answer, fmt: str) -> list[tuple[int, str]]:
    if fmt == "json":
        return [(int(e["code"]), str(e["description"])) for e in answer.json()]
    root = answer.xml()
    assert root.tag == "errors"
    return [(int(e.findtext("code") or 0), e.findtext("description") or "") for e in root]


def runtime_base(product: WebRuntime) -> str:
    return product.settings.local_base_url()


async def report_at(
    status: Status, *, category: str = "fire_exit", days_ago: float = 1, reporter: Resident | None = None, **kw: Any
) -> Report:
    """A report moved to `status`, filed `days_ago` before the test clock (FILED_AT), as the API lists it."""
    from tests.factories import FILED_AT, make_report

    when = FILED_AT - timedelta(days=days_ago)
    report = await make_report(reporter, status=status, category=category, now=when, **kw)
    await Report.filter(id=report.id).update(created_at=when, updated_at=when)
    return await Report.get(id=report.id)

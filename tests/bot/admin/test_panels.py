"""Panels: a feature shows a piece of another feature's page without importing it (bot.features.Panel)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
import pytest

from bot.admin.accounts import Role
from bot.features import Feature, Panel
from bot.runtime import WebRuntime
from bot.services import Services
from tests.admin_client import AdminClient, make_staff
from tests.factories import make_report, make_resident


async def reopen_count(services: Services, params: dict[str, Any]) -> dict[str, Any] | None:
    report = params["report"]
    return None if report.category == "traffic" else {"count": report.reopen_count, "id": report.id}


@pytest.fixture
async def with_panel(product: WebRuntime, tmp_path: Path) -> AsyncIterator[WebRuntime]:
    """The running product plus a feature that only adds an officials' panel beside the report page."""
    (tmp_path / "probe" / "panels").mkdir(parents=True)
    (tmp_path / "probe" / "panels" / "count.html").write_text(
        '<p class="probe">#{{ id }} {{ _("Reopened") }}: {{ count }} <b>{{ "<i>" }}</b></p>', encoding="utf-8"
    )
    probe = Feature(
        name="probe",
        panels=(Panel("report.side", "probe/panels/count.html", reopen_count, role=Role.OFFICIAL),),
    )
    features = product.services.features
    product.services.features = (*features, probe)
    loader = aiohttp_jinja2.get_env(product.app).loader
    assert isinstance(loader, jinja2.FileSystemLoader)
    loader.searchpath.append(str(tmp_path))
    yield product
    product.services.features = features
    loader.searchpath.remove(str(tmp_path))


async def test_a_panel_shows_on_the_page_for_its_role_escaped(with_panel: WebRuntime) -> None:
    report = await make_report(await make_resident(1), category="fire_exit")
    for name, role, shown in (("mo", Role.MODERATOR, False), ("of", Role.OFFICIAL, True)):
        await make_staff(name, role, language="en")
        client = AdminClient(with_panel.settings.local_base_url())
        try:
            await client.login(name)
            _, page = await client.get(f"/admin/reports/{report.id}")
        finally:
            await client.close()
        assert (f'<p class="probe">#{report.id} Reopened: 0 <b>&lt;i&gt;</b></p>' in page) is shown


async def test_a_panel_with_nothing_to_say_is_left_out(with_panel: WebRuntime) -> None:
    report = await make_report(await make_resident(1), category="traffic")
    await make_staff("of", Role.OFFICIAL, language="en")
    client = AdminClient(with_panel.settings.local_base_url())
    try:
        await client.login("of")
        _, page = await client.get(f"/admin/reports/{report.id}")
    finally:
        await client.close()
    assert 'class="probe"' not in page

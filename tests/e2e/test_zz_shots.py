"""Throwaway: screenshots of every admin page (not committed)."""
from __future__ import annotations
from typing import Any
import pytest
from bot.admin.accounts import Role
from bot.runtime import WebRuntime
from tests.admin_client import PASSWORD, make_staff
from tests.e2e.test_admin_browser import page  # noqa: F401
from tests.factories import add_photo, make_report, make_resident, make_broadcast, make_incident, make_agency, JINGAN
from bot.admin.views import nav_key
from moderation.routing import AgencyForm, save_agency

pytestmark = [pytest.mark.browser]
OUT = "/tmp/uxstaff/shots"

async def seed(product: WebRuntime) -> list[int]:
    r1 = await make_resident(5001, "zh_CN", "王芳")
    r2 = await make_resident(5002, "zh_CN", "李雷")
    ids = []
    for i, desc in enumerate(["楼道里有电动车在充电", "安全出口被杂物堵塞", "河边护栏缺失"]):
        rep = await make_report(r1 if i % 2 == 0 else r2, description=desc, category=["ebike", "fire_exit", "drowning"][i])
        await add_photo(rep, product.settings, color=(40 * i, 120, 200))
        ids.append(rep.id)
    other = await make_report(r2, description="另一处电动车", position=(31.2310, 121.4740))
    await add_photo(other, product.settings)
    ids.append(other.id)
    await make_report(r1, position=JINGAN, area="jingan")
    await save_agency(AgencyForm("huangpu_fire", "Huangpu fire brigade", "黄浦区消防救援支队", categories=("ebike",), areas=("huangpu",)), actor="staff:1", now=product.services.clock())
    await make_broadcast(product.services.clock(), scheduled=False)
    await make_incident("E1")
    return ids

@pytest.mark.parametrize("locale", ["zh_CN", "en"])
async def test_shots(product: WebRuntime, page: Any, locale: str) -> None:
    ids = await seed(product)
    await make_staff("wangfang", Role.ADMIN, language=locale, display_name="王芳")
    base = product.settings.local_base_url()
    await page.goto(f"{base}/admin/login?lang={locale}")
    await page.screenshot(path=f"{OUT}/{locale}-1366-login.png", full_page=True)
    await page.fill("input[name=username]", "wangfang")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("form[action='/admin/login'] button[type=submit]")
    paths = ["/admin", f"/admin/reports/{ids[0]}", *[item.path for item in product.app[nav_key]]]
    for width in (1366, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            await page.goto(base + path)
            name = path.strip("/").replace("/", "_") or "root"
            sw = await page.evaluate("document.documentElement.scrollWidth")
            print(locale, width, path, "scrollWidth", sw)
            await page.screenshot(path=f"{OUT}/{locale}-{width}-{name}.png", full_page=width == 390)

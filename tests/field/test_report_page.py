"""The report page's field panel: before and after side by side, the crew's work, verification; the picture is
served only to staff who may see the report."""

from __future__ import annotations

from io import BytesIO

import aiohttp
from PIL import Image

from bot.admin.accounts import Role
from bot.runtime import WebRuntime
from field.pictures import side_by_side
from tests.admin_client import AdminClient, make_staff
from tests.factories import jpeg_bytes
from tests.fake_botapi import FakeBotAPI
from tests.field.conftest import GREEN, RED, Worker, fixed_by_crew


def test_side_by_side_puts_before_left_and_after_right_at_one_height() -> None:
    picture = side_by_side(jpeg_bytes(RED, (640, 480)), jpeg_bytes(GREEN, (300, 600)), height_px=200)
    with Image.open(BytesIO(picture)) as image:
        rgb = image.convert("RGB")
        assert rgb.size == (267 + 12 + 100, 200) and not image.getexif()
        left, right = rgb.getpixel((130, 101)), rgb.getpixel((330, 101))
    assert left[0] > 150 > left[1] and right[1] > 150 > right[0]  # type: ignore[index]


async def test_the_report_page_shows_before_and_after_and_the_crews_work(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await make_staff("mia", Role.MODERATOR, language="en", areas=["huangpu"])
    await client.login("mia")
    _, page = await client.get(f"/admin/reports/{report.id}")
    assert f'src="/admin/field/reports/{report.id}/before-after.jpg"' in page
    assert "Field work" in page and "Wang" in page and "Huangpu Fire" in page
    assert "List this hazard" not in page  # officials list hazards
    async with client.session.get(f"/admin/field/reports/{report.id}/before-after.jpg") as response:
        assert response.status == 200 and response.content_type == "image/jpeg"
        assert response.headers["Cache-Control"].startswith("private")
        picture = await response.read()
    with Image.open(BytesIO(picture)) as image:
        assert image.width > image.height


async def test_the_picture_is_refused_outside_the_staff_members_scope_and_to_strangers(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    path = f"/admin/field/reports/{report.id}/before-after.jpg"
    async with (
        aiohttp.ClientSession(product.settings.local_base_url()) as anonymous,
        anonymous.get(path, allow_redirects=False) as response,
    ):
        assert response.status == 303 and "/admin/login" in response.headers["Location"]
    await make_staff("jing", Role.MODERATOR, language="en", areas=["jingan"])
    await client.login("jing")
    status, _ = await client.get(path)
    assert status == 403


async def test_officials_can_list_from_the_report_page(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await make_staff("chen", Role.OFFICIAL, language="zh_CN")
    await client.login("chen")
    _, page = await client.get(f"/admin/reports/{report.id}")
    assert "挂牌督办" in page and f'action="/admin/field/reports/{report.id}/list"' in page
    _, refused = await client.post(f"/admin/field/reports/{report.id}/list", {"deadline": "2026-11-20"})
    assert "请填写期限" in refused

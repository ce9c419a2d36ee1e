"""The Monday bulletin with a frozen clock: counts match the seeded week, the PNG decodes and shows the city,
the archive lists it in both languages, the officials' chat gets it once, and scope narrows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from io import BytesIO

from PIL import Image

from bot.admin.accounts import Role
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from risk.levels import LEVEL_COLOURS, RiskLevel
from risk.models import Bulletin, CellRisk, LevelChange
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.factories import JINGAN, make_report, make_resident, make_rewardable_report
from tests.fake_botapi import FakeBotAPI
from tests.risk.conftest import OFFICIALS

Worker = Callable[[], Awaitable[int]]
# The clock fixture: Monday 2026-11-23, 10:00 in Shanghai. Last week: Monday 16th 00:00 to Monday 23rd 00:00.
WEEK_START = datetime(2026, 11, 15, 16, 0, tzinfo=UTC)
IN_THE_WEEK = WEEK_START + timedelta(days=2)
BEFORE_THE_WEEK = WEEK_START - timedelta(days=10)


def colour_counts(image: Image.Image) -> dict[object, int]:
    found = image.getcolors(maxcolors=1 << 20)
    assert found is not None
    return {colour: n for n, colour in found}


def rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


async def seed_week(clock: FrozenClock) -> None:
    """Huangpu: two hazards confirmed this week, one of them fixed. Jingan: one report filed and still
    awaiting review, and an older hazard that is overdue. Huangpu-0402 turned red, jingan-0302 orange."""
    huangpu, jingan = await make_resident(6001, "zh_CN"), await make_resident(6002, "en")
    await make_rewardable_report(huangpu, filed_at=IN_THE_WEEK)
    await make_rewardable_report(huangpu, filed_at=IN_THE_WEEK, status=Status.FIXED)
    waiting = await make_report(jingan, position=JINGAN, area="jingan")
    await Report.filter(id=waiting.id).update(created_at=IN_THE_WEEK)
    late = await make_rewardable_report(jingan, filed_at=BEFORE_THE_WEEK, area="jingan")
    await Report.filter(id=late.id).update(overdue=True, lat=JINGAN[0], lon=JINGAN[1], cell="jingan-0302")
    for cell, district, level in (("huangpu-0402", "huangpu", "red"), ("jingan-0302", "jingan", "orange")):
        await CellRisk.create(cell=cell, district=district, level=level, score=20.0, computed_at=IN_THE_WEEK)
        await LevelChange.create(
            cell=cell, district=district, from_level=None, to_level=level, score=20.0, actor="system:test",
            changed_at=IN_THE_WEEK,
        )  # fmt: skip


async def make_them(product: WebRuntime, run_worker: Worker) -> Bulletin:
    await product.services.redis.enqueue_job("risk.make_bulletins")
    await run_worker()
    return await Bulletin.get(kind="week")


async def test_the_monday_bulletin_counts_the_week(product: WebRuntime, run_worker: Worker, clock: FrozenClock) -> None:
    await seed_week(clock)
    bulletin = await make_them(product, run_worker)
    assert bulletin.period_start == WEEK_START and bulletin.period_end == WEEK_START + timedelta(days=7)
    districts = bulletin.data["districts"]
    assert districts["huangpu"] == {"filed": 2, "new": 2, "fixed": 1, "overdue": 0}
    assert districts["jingan"] == {"filed": 1, "new": 0, "fixed": 0, "overdue": 1}
    assert districts["xuhui"] == {"filed": 0, "new": 0, "fixed": 0, "overdue": 0}
    changes = {(c["cell"], c["from"], c["to"]) for c in bulletin.data["level_changes"]}
    assert changes == {("huangpu-0402", None, "red"), ("jingan-0302", None, "orange")}
    assert [u["overdue"] for u in bulletin.data["urgent"]] == [True, False]  # the overdue one first
    assert len(bulletin.data["points"]) == 2  # the week's confirmed hazards
    assert await Bulletin.filter(kind="month").count() == 1  # October's edition, with its trends
    assert "trends" in (await Bulletin.get(kind="month")).data


async def test_the_officials_chat_gets_it_once_in_both_languages(
    product: WebRuntime, run_worker: Worker, fake_api: FakeBotAPI, clock: FrozenClock
) -> None:
    await seed_week(clock)
    bulletin = await make_them(product, run_worker)
    await make_them(product, run_worker)  # the cron runs again: nothing new
    photos, texts = fake_api.sent(OFFICIALS, "sendPhoto"), fake_api.sent(OFFICIALS)
    assert len(photos) == 2 and len(texts) == 4  # the week's and the month's: a map and two languages each
    week_texts = [t["text"] for t in texts if "11-16" in t["text"]]
    assert any("每周安全通报" in t and "新增隐患：2" in t for t in week_texts)
    assert any("Weekly safety bulletin" in t and "New hazards: 2" in t for t in week_texts)
    assert (await Bulletin.get(id=bulletin.id)).sent_at == clock()


async def test_the_archive_lists_it_and_shows_it_in_both_languages(
    product: WebRuntime, run_worker: Worker, client: AdminClient, clock: FrozenClock
) -> None:
    await seed_week(clock)
    bulletin = await make_them(product, run_worker)
    await make_staff("reader", Role.OFFICIAL, language="en")
    await client.login("reader")
    status, archive = await client.get("/admin/bulletins")
    assert status == 200 and f'href="/admin/bulletins/{bulletin.id}"' in archive and "2026-11-16" in archive
    _, chinese = await client.get(f"/admin/bulletins/{bulletin.id}?lang=zh_CN")
    _, english = await client.get(f"/admin/bulletins/{bulletin.id}?lang=en")
    assert "每周安全通报（2026-11-16 – 2026-11-22）" in chinese and "黄浦区" in chinese
    assert "Weekly safety bulletin, 2026-11-16 – 2026-11-22" in english and "Huangpu" in english
    assert 'class="total-new">2<' in english and 'class="total-overdue">1<' in english
    status, csv_text = await client.get(f"/admin/bulletins/{bulletin.id}/bulletin.csv?lang=en")
    assert status == 200 and "district,Huangpu,huangpu,new hazards,2" in csv_text.replace("\r\n", "\n")


async def test_the_map_png_decodes_and_shows_the_city(
    product: WebRuntime, run_worker: Worker, client: AdminClient, clock: FrozenClock
) -> None:
    await seed_week(clock)
    bulletin = await make_them(product, run_worker)
    await make_staff("reader", Role.OFFICIAL, language="zh_CN")
    await client.login("reader")
    async with client.session.get(f"/admin/bulletins/{bulletin.id}/map.png") as response:
        assert response.status == 200 and response.content_type == "image/png"
        image = Image.open(BytesIO(await response.read())).convert("RGB")
    colours = colour_counts(image)
    assert image.width >= 1000 and image.height >= 500
    legend_swatch = colours[rgb(LEVEL_COLOURS[RiskLevel.YELLOW])]  # no cell is yellow: only the legend has it
    assert colours.get(rgb(LEVEL_COLOURS[RiskLevel.RED]), 0) > legend_swatch + 500  # a cell: hundreds of pixels
    assert colours.get(rgb(LEVEL_COLOURS[RiskLevel.ORANGE]), 0) > legend_swatch + 500
    assert colours.get(rgb(LEVEL_COLOURS[RiskLevel.BLUE]), 0) > 50 * colours[rgb(LEVEL_COLOURS[RiskLevel.RED])]
    assert colours.get((20, 20, 20), 0) > 20  # the week's hazards as dots


async def test_a_moderator_sees_only_their_district_in_the_bulletin(
    product: WebRuntime, run_worker: Worker, client: AdminClient, clock: FrozenClock
) -> None:
    await seed_week(clock)
    bulletin = await make_them(product, run_worker)
    await make_staff("hp-mod", Role.MODERATOR, language="en", areas=["huangpu"])
    await client.login("hp-mod")
    _, page = await client.get(f"/admin/bulletins/{bulletin.id}")
    assert 'data-district="huangpu"' in page and 'data-district="jingan"' not in page
    assert "Jing&#39;an" not in page and "jingan-0302" not in page
    _, csv_text = await client.get(f"/admin/bulletins/{bulletin.id}/bulletin.csv")
    assert "jingan" not in csv_text and "huangpu" in csv_text
    async with client.session.get(f"/admin/bulletins/{bulletin.id}/map.png") as response:
        image = Image.open(BytesIO(await response.read())).convert("RGB")
    colours = colour_counts(image)
    legend_swatch = colours[rgb(LEVEL_COLOURS[RiskLevel.YELLOW])]  # no cell is yellow: only the legend has it
    assert colours.get(rgb(LEVEL_COLOURS[RiskLevel.RED]), 0) > legend_swatch + 500
    assert colours.get(rgb(LEVEL_COLOURS[RiskLevel.ORANGE]), 0) == legend_swatch  # Jingan's cell is not drawn

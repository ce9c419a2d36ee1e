"""Test data for every feature: residents, reports walked through the real lifecycle, photos, pools, claims.

One module, so a report is built one way everywhere; `make_report` files and moves a report like
moderators do, `make_rewardable_report` is the accepted, verified report rewards are decided for.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from io import BytesIO

from PIL import Image

from bot.city.grid import DEMO_CITY_FILE, Grid
from bot.city.models import Agency, Incident
from bot.city.placement import place
from bot.config import Settings
from bot.reports.lifecycle import transition
from bot.reports.models import Photo, Report, ReportFollower, Resident
from bot.reports.photo_store import store_photo
from bot.reports.photos import PhotoLimits
from bot.reports.sla import SlaRules
from bot.reports.statuses import Status
from bot.storage import DirectoryStorage
from broadcasts.control import schedule
from broadcasts.message import Button
from broadcasts.models import Broadcast, BroadcastStatus
from broadcasts.states import BROADCASTS
from broadcasts.targeting import EVERYONE, Target
from rewards.budget import create_pool
from rewards.crypto import Cipher
from rewards.models import BudgetPool, RewardProfile

#: Inside the demo city's districts (bot/data/demo_city.geojson); HUANGPU is in cell huangpu-0402.
HUANGPU = (31.2304, 121.4737)
JINGAN = (31.2450, 121.4400)
DEMO_GRID = Grid.from_file(DEMO_CITY_FILE)
FILED_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the `clock` fixture's time
STAFF = "staff:999"
PARTNER = "partner:999"  #: the actor of a report a partner system filed (no resident)
#: The default clocks (24 h to moderate, 7 days to fix), as Settings has them.
SLA = SlaRules()
#: How to reach each status from `submitted` through legal transitions.
PATHS: dict[Status, list[Status]] = {
    Status.SUBMITTED: [],
    Status.NEEDS_INFO: [Status.NEEDS_INFO],
    Status.ACCEPTED: [Status.ACCEPTED],
    Status.DISPATCHED: [Status.ACCEPTED, Status.DISPATCHED],
    Status.IN_PROGRESS: [Status.ACCEPTED, Status.IN_PROGRESS],
    Status.FIXED: [Status.ACCEPTED, Status.FIXED],
    Status.REOPENED: [Status.ACCEPTED, Status.FIXED, Status.REOPENED],
    Status.REJECTED: [Status.REJECTED],
    Status.DUPLICATE: [Status.DUPLICATE],
    Status.NOT_RESPONSIBLE: [Status.NOT_RESPONSIBLE],
    Status.NO_ACTION: [Status.NO_ACTION],
}
#: Real-looking pHashes: about half the bits set (a blank image's 8000000000000000 is ignored).
PHASH_A = "a4b1653289fe710f"
PHASH_A_NEAR = "a4b1653289fe7100"  # 4 bits from A
PHASH_B = "5b4e9acd76018ef0"  # far from A
TEXTS = {"en": "Fire safety letter", "zh_CN": "消防安全公开信"}


async def make_resident(
    resident_id: int, language: str = "en", first_name: str = "", *, staff: bool = False
) -> Resident:
    return await Resident.create(
        id=resident_id,
        chat_id=resident_id,
        first_name=first_name or f"R{resident_id}",
        language=language,
        language_chosen=True,
        is_staff=staff,
    )


async def make_report(
    reporter: Resident | None,
    *,
    status: Status = Status.SUBMITTED,
    category: str = "ebike",
    area: str | None = "huangpu",
    position: tuple[float, float] = HUANGPU,
    now: datetime | None = None,
    description: str = "E-bike charging in the stairwell",
    sla: SlaRules = SLA,
) -> Report:
    """A report filed by `reporter` (None: by a partner system through the open API), moved to `status` through
    the real transition function."""
    when = now or FILED_AT
    report = Report(
        reporter=reporter,
        category=category,
        lat=position[0],
        lon=position[1],
        location_source="shared" if reporter else "api",
        description=description,
        language=reporter.language if reporter else "zh_CN",
        source="telegram" if reporter else "open311",
    )
    place(report, DEMO_GRID)  # as intake does
    report.area = area  # a test may put it in another district (or none) than its position's
    actor = f"resident:{reporter.id}" if reporter else PARTNER
    await transition(report, Status.SUBMITTED, actor=actor, sla=sla, now=when)
    for step in PATHS[status]:
        await transition(report, step, actor=STAFF, sla=sla, now=when)
    return report


async def make_rewardable_report(
    reporter: Resident | None,
    *,
    category: str = "fire_exit",
    severity: str | None = "medium",
    verified: bool = True,
    status: Status = Status.ACCEPTED,
    area: str | None = "huangpu",
    filed_at: datetime = FILED_AT,
    phash: str | None = None,
    exif_taken_at: datetime | None = None,
) -> Report:
    """A report filed at `filed_at` and accepted (or left submitted, or fixed), with the moderator's verdict."""
    report = await make_report(
        reporter, status=status, category=category, area=area, now=filed_at, description="hazard"
    )
    await Report.filter(id=report.id).update(created_at=filed_at, severity=severity, verified=verified)
    if phash is not None:
        await Photo.create(
            report=report,
            owner=reporter,
            storage_key=f"k{report.id}",
            thumbnail_key=f"t{report.id}",
            sha256="0" * 64,
            phash=phash,
            width_px=10,
            height_px=10,
            exif_taken_at=exif_taken_at,
        )
    return await Report.get(id=report.id)


async def make_archived_photos(
    phashes: Sequence[str],
    reporter_ids: Sequence[int],
    *,
    positions: Sequence[tuple[float, float]] | None = None,
    filed_at: datetime = FILED_AT,
) -> list[int]:
    """An archive to search: one fixed report with one photo per pHash (by the reporters taken in turn, at
    `positions` or HUANGPU), inserted in bulk rather than walked through the lifecycle; returns report ids."""
    where = positions or [HUANGPU] * len(phashes)
    reports = [
        Report(
            reporter_id=reporter_ids[n % len(reporter_ids)],
            status=Status.FIXED,
            category="traffic",
            lat=lat,
            lon=lon,
            location_source="shared",
            language="en",
        )
        for n, (lat, lon) in enumerate(where)
    ]
    await Report.bulk_create(reports)
    report_ids = sorted(report.id for report in await Report.all().order_by("-id").limit(len(reports)).only("id"))
    await Report.filter(id__in=report_ids).update(created_at=filed_at)
    await Photo.bulk_create(
        [
            Photo(
                report_id=report_id,
                owner_id=reporter_ids[n % len(reporter_ids)],
                storage_key=f"k{report_id}",
                thumbnail_key=f"t{report_id}",
                sha256="0" * 64,
                phash=phash,
                width_px=10,
                height_px=10,
            )
            for n, (report_id, phash) in enumerate(zip(report_ids, phashes, strict=True))
        ]
    )
    await Photo.filter(report_id__in=report_ids).update(created_at=filed_at)
    return report_ids


async def follow(report: Report, resident: Resident) -> None:
    await ReportFollower.create(report=report, resident=resident)


def jpeg_bytes(color: tuple[int, int, int] = (200, 40, 40), size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo with some structure (a flat picture is a legal but odd test subject)."""
    image = Image.new("RGB", size, color)
    for x in range(0, size[0], 40):
        for y in range(0, size[1], 40):
            image.putpixel((x, y), (255, 255, 255))
    buffer = BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


async def add_photo(report: Report, settings: Settings, color: tuple[int, int, int] = (200, 40, 40)) -> Photo:
    """A photo cleaned and stored the way intake stores one."""
    return await store_photo(
        jpeg_bytes(color),
        owner_id=report.reporter_id,
        limits=PhotoLimits(),
        storage=DirectoryStorage(settings.photo_dir),
        telegram_file_unique_id="",
        now=datetime.now(UTC),
        report_id=report.id,
    )


async def make_pool(
    amount_fen: int = 1_000_000,
    *,
    campaign_id: int | None = None,
    starts_at: datetime = FILED_AT - timedelta(days=60),
    ends_at: datetime = FILED_AT + timedelta(days=365),
) -> BudgetPool:
    return await create_pool(
        "Pool", starts_at, ends_at, amount_fen, campaign_id=campaign_id, created_by_id=None, now=starts_at
    )


async def make_claimed(
    resident: Resident,
    cipher: Cipher,
    *,
    name: str = "张三丰",
    account: str = "13800138000",
    method: str = "alipay",
    at: datetime = FILED_AT,
) -> RewardProfile:
    """A resident who finished /claim (as the conversation would store it)."""
    return await RewardProfile.create(
        resident=resident,
        phone_enc=cipher.encrypt("+8613800138000"),
        real_name_enc=cipher.encrypt(name),
        verified_at=at,
        payout_method=method,
        payout_account_enc=cipher.encrypt(account),
    )


async def make_residents(first_id: int, count: int, languages: tuple[str, ...] = ("en", "zh_CN")) -> list[int]:
    """`count` residents with ids (= chat ids) from `first_id`, languages taken in turn."""
    ids = list(range(first_id, first_id + count))
    await Resident.bulk_create(
        [
            Resident(id=i, chat_id=i, first_name=f"R{i}", language=languages[n % len(languages)])
            for n, i in enumerate(ids)
        ]
    )
    return ids


async def make_broadcast(
    now: datetime,
    *,
    target: Target = EVERYONE,
    texts: dict[str, str] | None = None,
    buttons: list[Button] | None = None,
    scheduled: bool = True,
    at: datetime | None = None,
) -> Broadcast:
    broadcast = await Broadcast.create(
        title="Letter",
        texts=texts or TEXTS,
        buttons=[b.to_json() for b in buttons or []],
        target=target.to_json(),
        status=BroadcastStatus.DRAFT,
        created_at=now,
    )
    await BROADCASTS.born(broadcast, actor=STAFF, now=now)
    if scheduled:
        assert await schedule(broadcast.id, at or now, actor=STAFF, now=now)
    await broadcast.refresh_from_db()
    return broadcast


async def make_incident(
    event_id: str,
    *,
    position: tuple[float, float] = HUANGPU,
    occurred_at: datetime = FILED_AT,
    kind: str | None = None,
    severity: float | None = None,
    category: str = "fire",
    outcome: str = "confirmed",
) -> Incident:
    """An incident from another system, placed on the demo grid as imports and officials place them."""
    incident = Incident(
        event_id=event_id,
        source="test",
        occurred_at=occurred_at,
        lat=position[0],
        lon=position[1],
        category=category,
        outcome=outcome,
        severity=severity,
        kind=kind,
        recorded_by=STAFF,
    )
    place(incident, DEMO_GRID)
    await incident.save()
    return incident


async def make_agency(key: str = "fire-brigade", *, telegram_chat_id: int | None = None) -> Agency:
    return await Agency.create(key=key, name=f"Agency {key}", name_zh=f"机构{key}", telegram_chat_id=telegram_chat_id)

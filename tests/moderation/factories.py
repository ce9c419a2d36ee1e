"""Test data for moderation: residents, reports walked through the real lifecycle, stored photos."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from PIL import Image

from bot.config import Settings
from bot.reports.lifecycle import Status, transition
from bot.reports.models import Photo, Report, ReportFollower, Resident
from bot.reports.photos import PhotoLimits
from bot.storage import DirectoryStorage
from moderation.answers import store_report_photo

#: Inside the demo districts of bot/data/areas.geojson.
HUANGPU = (31.2304, 121.4737)
JINGAN = (31.2450, 121.4400)
STAFF = "staff:999"
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


async def make_resident(resident_id: int, language: str = "en", first_name: str = "") -> Resident:
    return await Resident.create(
        id=resident_id,
        chat_id=resident_id,
        first_name=first_name or f"R{resident_id}",
        language=language,
        language_chosen=True,
    )


async def make_report(
    reporter: Resident,
    *,
    status: Status = Status.SUBMITTED,
    category: str = "ebike",
    area: str | None = "huangpu",
    position: tuple[float, float] = HUANGPU,
    now: datetime | None = None,
    description: str = "E-bike charging in the stairwell",
) -> Report:
    """A report filed by `reporter`, moved to `status` through the real transition function."""
    when = now or datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    report = Report(
        reporter=reporter,
        category=category,
        lat=position[0],
        lon=position[1],
        location_source="shared",
        description=description,
        language=reporter.language,
        area=area,
    )
    await transition(report, Status.SUBMITTED, actor=f"resident:{reporter.id}", now=when)
    for step in PATHS[status]:
        await transition(report, step, actor=STAFF, now=when)
    return report


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
    return await store_report_photo(
        report,
        report.reporter_id,
        jpeg_bytes(color),
        limits=PhotoLimits(),
        storage=DirectoryStorage(settings.photo_dir),
        telegram_file_unique_id="",
        now=datetime.now(UTC),
    )

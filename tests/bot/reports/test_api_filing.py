"""Filing a report that arrives whole through an API: same checks, same photo pipeline, same lifecycle."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import exifread
import pytest

from bot.config import Settings
from bot.reports.api_filing import ApiFilingError, ApiProblem, ApiSubmission, file_api_report
from bot.reports.geo import LocationProblem, ServiceArea
from bot.reports.intake import IntakeRules
from bot.reports.models import DuplicateFlag, Photo, Report, StatusChange
from bot.reports.photos import PhotoLimits, RejectReason
from bot.reports.statuses import Status
from bot.storage import DirectoryStorage
from tests.conftest import FrozenClock
from tests.factories import DEMO_GRID, HUANGPU, jpeg_bytes
from tests.photos import manifest_row

pytestmark = pytest.mark.usefixtures("orm")
GPS_PHOTO = manifest_row("iphone4_gps_rome.jpg")
ACTOR = "partner:1"


def rules(**overrides: object) -> IntakeRules:
    from bot.reports.categories import DEFAULT_CATEGORIES

    options: dict[str, object] = {
        "categories": DEFAULT_CATEGORIES,
        "area": ServiceArea(None),
        "photo_limits": PhotoLimits(),
        "grid": DEMO_GRID,
    }
    options.update(overrides)
    return IntakeRules(**options)  # type: ignore[arg-type]


def submission(**overrides: object) -> ApiSubmission:
    options: dict[str, object] = {
        "category": "fire_exit",
        "lat": HUANGPU[0],
        "lon": HUANGPU[1],
        "description": "Exit chained shut",
        "language": "zh_CN",
    }
    options.update(overrides)
    return ApiSubmission(**options)  # type: ignore[arg-type]


def storage(settings: Settings) -> DirectoryStorage:
    return DirectoryStorage(settings.photo_dir)


async def test_a_partner_report_has_no_resident_and_enters_the_queue_on_the_grid(
    settings: Settings, clock: FrozenClock
) -> None:
    report = await file_api_report(submission(), rules(), storage(settings), actor=ACTOR, now=clock())

    stored = await Report.get(id=report.id)
    assert (stored.reporter_id, stored.source, stored.status) == (None, "open311", Status.SUBMITTED)
    assert (stored.area, stored.cell) == ("huangpu", "huangpu-0402")
    assert stored.moderation_due_at == clock() + timedelta(hours=24)
    change = await StatusChange.get(report_id=report.id)
    assert (change.to_status, change.actor) == (Status.SUBMITTED, ACTOR)


async def test_a_photo_with_gps_is_stored_without_any_exif(settings: Settings, clock: FrozenClock) -> None:
    report = await file_api_report(
        submission(photos=(GPS_PHOTO.read_bytes(),)), rules(), storage(settings), actor=ACTOR, now=clock()
    )

    [photo] = await Photo.filter(report_id=report.id)
    assert photo.owner_id is None and photo.exif_lat == pytest.approx(41.853)
    stored = await storage(settings).get(photo.storage_key)
    assert exifread.process_file(BytesIO(stored), details=False) == {}
    assert b"Exif" not in stored[:64]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"category": "potholes"}, ApiProblem.UNKNOWN_CATEGORY),
        ({"lat": 0.0, "lon": 0.0}, LocationProblem.NULL_ISLAND),
        ({"lat": 95.0}, LocationProblem.OUT_OF_RANGE),
        ({"description": "x" * 4001}, ApiProblem.DESCRIPTION_TOO_LONG),
        ({"photos": (b"%PDF-1.4 not a photo",)}, RejectReason.NOT_AN_IMAGE),
        ({"photos": (jpeg_bytes(),) * 4}, ApiProblem.TOO_MANY_PHOTOS),
    ],
)
async def test_a_refused_submission_stores_nothing(
    settings: Settings, clock: FrozenClock, change: dict[str, object], reason: str
) -> None:
    with pytest.raises(ApiFilingError) as refused:
        await file_api_report(submission(**change), rules(), storage(settings), actor=ACTOR, now=clock())

    assert refused.value.reason == reason
    assert await Report.all().count() == 0 and await Photo.all().count() == 0
    assert stored_files(settings.photo_dir) == []


def stored_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.jpg")) if root.exists() else []


async def test_a_photo_too_big_is_refused_before_decoding(settings: Settings, clock: FrozenClock) -> None:
    tight = rules(photo_limits=PhotoLimits(max_pixels=1000))
    with pytest.raises(ApiFilingError) as refused:
        await file_api_report(submission(photos=(jpeg_bytes(),)), tight, storage(settings), actor=ACTOR, now=clock())
    assert refused.value.reason == RejectReason.TOO_MANY_PIXELS


async def test_the_same_photo_filed_twice_by_partners_is_flagged_as_another_reporters(
    settings: Settings, clock: FrozenClock
) -> None:
    photo = (GPS_PHOTO.read_bytes(),)
    first = await file_api_report(submission(photos=photo), rules(), storage(settings), actor=ACTOR, now=clock())
    second = await file_api_report(submission(photos=photo), rules(), storage(settings), actor=ACTOR, now=clock())

    flag = await DuplicateFlag.get(report_id=second.id)
    assert (flag.similar_to_id, flag.kind, flag.phash_distance) == (first.id, "photo", 0)  # type: ignore[attr-defined]

"""Test data for rewards: residents, reports walked through the real lifecycle, photos, funded pools."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.reports.lifecycle import Status, transition
from bot.reports.models import Photo, Report, Resident
from rewards.budget import create_pool
from rewards.crypto import Cipher
from rewards.models import BudgetPool, RewardProfile

FILED_AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, the `clock` fixture's time
STAFF_ACTOR = "staff:1"
#: Real-looking pHashes: about half the bits set (a blank image's 8000000000000000 is ignored).
PHASH_A = "a4b1653289fe710f"
PHASH_A_NEAR = "a4b1653289fe7100"  # 4 bits from A
PHASH_B = "5b4e9acd76018ef0"  # far from A


async def make_resident(
    resident_id: int, *, language: str = "en", first_name: str = "", staff: bool = False
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
    reporter: Resident,
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
    """A report filed at `filed_at`, accepted (or left submitted) through the real transition function."""
    report = Report(
        reporter=reporter,
        category=category,
        lat=31.2304,
        lon=121.4737,
        location_source="shared",
        description="hazard",
        language=reporter.language,
        area=area,
    )
    await transition(report, Status.SUBMITTED, actor=f"resident:{reporter.id}", now=filed_at)
    await Report.filter(id=report.id).update(created_at=filed_at)
    if status != Status.SUBMITTED:
        await transition(report, Status.ACCEPTED, actor=STAFF_ACTOR, now=filed_at)
    if status == Status.FIXED:
        await transition(report, Status.FIXED, actor=STAFF_ACTOR, now=filed_at)
    await Report.filter(id=report.id).update(severity=severity, verified=verified)
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

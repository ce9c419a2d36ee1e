"""A report a partner system filed has no resident: the kernel's reopen rule and duplicate flags handle that."""

from __future__ import annotations

import pytest

from bot.reports.dedup import DedupRules, flag_report
from bot.reports.lifecycle import ReopenNotAllowedError, transition
from bot.reports.models import DuplicateFlag, Photo, Report
from bot.reports.statuses import Status
from tests.factories import FILED_AT, PHASH_A, SLA, STAFF, make_report, make_resident

pytestmark = pytest.mark.usefixtures("orm")


async def photo(report: Report, phash: str = PHASH_A) -> None:
    await Photo.create(
        report=report,
        owner=None,
        storage_key="k",
        thumbnail_key="t",
        sha256="0" * 64,
        phash=phash,
        width_px=1,
        height_px=1,
    )


async def test_only_staff_may_reopen_a_partner_report() -> None:
    report = await make_report(None, status=Status.FIXED)
    with pytest.raises(ReopenNotAllowedError):
        await transition(report, Status.REOPENED, actor="resident:5", sla=SLA, now=FILED_AT)
    await transition(report, Status.REOPENED, actor=STAFF, sla=SLA, now=FILED_AT)
    assert (await Report.get(id=report.id)).reopen_count == 1


async def test_two_partner_reports_with_the_same_photo_are_not_the_same_reporter() -> None:
    first, second = await make_report(None), await make_report(None)
    await photo(first)
    await photo(second)
    await flag_report(second, DedupRules(), FILED_AT)
    assert (await DuplicateFlag.get(report_id=second.id)).kind == "photo"


async def test_a_residents_photo_again_is_still_the_same_reporter() -> None:
    resident = await make_resident(71)
    first, second = await make_report(resident), await make_report(resident)
    await photo(first)
    await photo(second)
    await flag_report(second, DedupRules(), FILED_AT)
    assert (await DuplicateFlag.get(report_id=second.id)).kind == "same_reporter_photo"

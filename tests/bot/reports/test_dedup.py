"""The nearby query over the spatial index, photo matching and "me too", against a real database."""

from __future__ import annotations

import importlib
import math
import random
from datetime import datetime

import pytest

from bot.reports.dedup import (
    DedupRules,
    FlagKind,
    FollowOutcome,
    flag_report,
    follow,
    is_informative,
    nearby_open_reports,
    photo_matches,
    same_user_same_photo,
)
from bot.reports.geo import distance_m
from bot.reports.lifecycle import transition
from bot.reports.models import DuplicateFlag, Photo, Report, ReportFollower, Resident
from bot.reports.spatial import BOX_MARGIN, M_PER_DEGREE, bounding_box, spatial_query
from bot.reports.statuses import OPEN_STATUSES, Status
from tests.conftest import FrozenClock
from tests.factories import SLA

CENTRE = (31.2304, 121.4737)
BLANK_PHASH = "8000000000000000"  # every uniform image (shared MANIFEST: the blank Samsung, the 1x1 iPhone)
PHASH_A = "a4b1653289fe710f"  # pixel_gps_full.jpg
PHASH_A_NEAR = "a4b1653289fe7100"  # 4 bits away
PHASH_A_FAR = "a4b16532890000ff"  # 16 bits away


def offset(lat: float, lon: float, north_m: float = 0.0, east_m: float = 0.0) -> tuple[float, float]:
    """A position `north_m` / `east_m` metres from (lat, lon) (flat-earth: fine below a few km)."""
    return lat + north_m / M_PER_DEGREE, lon + east_m / (M_PER_DEGREE * math.cos(math.radians(lat)))


async def resident(resident_id: int) -> Resident:
    return await Resident.create(id=resident_id, chat_id=resident_id, first_name=f"R{resident_id}")


async def report_at(
    reporter: Resident,
    lat: float,
    lon: float,
    *,
    category: str = "traffic",
    status: Status = Status.SUBMITTED,
    phash: str | None = None,
    sha256: str = "0" * 64,
    now: datetime | None = None,
) -> Report:
    report = await Report.create(
        reporter=reporter,
        status=status,
        category=category,
        lat=lat,
        lon=lon,
        location_source="shared",
        language="en",
    )
    if now is not None:
        await Report.filter(id=report.id).update(created_at=now)
    if phash is not None:
        await Photo.create(
            report=report,
            owner=reporter,
            storage_key="k",
            thumbnail_key=f"t{report.id}",
            sha256=sha256,
            phash=phash,
            width_px=10,
            height_px=10,
        )
    return report


class TestNearbyQuery:
    async def test_spatial_index_answers_exactly_like_brute_force(self, orm: None, clock: FrozenClock) -> None:
        """On 3,000 seeded reports, 60 random queries return what a full scan with haversine returns."""
        rng = random.Random(20261123)
        reporter = await resident(1)
        statuses = list(Status)
        categories = ["traffic", "ebike", "drowning"]
        seeded = []
        for _ in range(3000):
            lat, lon = offset(*CENTRE, rng.uniform(-2500, 2500), rng.uniform(-2500, 2500))
            seeded.append(
                Report(
                    reporter=reporter,
                    status=rng.choice(statuses),
                    category=rng.choice(categories),
                    lat=lat,
                    lon=lon,
                    location_source="shared",
                    language="en",
                )
            )
        await Report.bulk_create(seeded)
        everything = await Report.all().values("id", "lat", "lon", "category", "status")
        total_found = 0
        for _ in range(60):
            lat, lon = offset(*CENTRE, rng.uniform(-2000, 2000), rng.uniform(-2000, 2000))
            category, radius_m = rng.choice(categories), rng.choice([50, 250, 500])
            expected = sorted(
                (distance_m(lat, lon, row["lat"], row["lon"]), -row["id"])
                for row in everything
                if row["category"] == category
                and row["status"] in OPEN_STATUSES
                and distance_m(lat, lon, row["lat"], row["lon"]) <= radius_m
            )
            found = await nearby_open_reports(lat, lon, category, radius_m, now=clock(), limit=10_000)
            assert [(near.distance_m, -near.report.id) for near in found] == expected
            total_found += len(found)
        assert total_found > 100  # the queries did find things to compare

    async def test_moved_and_deleted_reports_are_followed_by_the_index(self, orm: None, clock: FrozenClock) -> None:
        """A report moved 2 km away leaves the old place; a deleted one leaves the index."""
        reporter = await resident(1)
        moved = await report_at(reporter, *CENTRE)
        deleted = await report_at(reporter, *offset(*CENTRE, north_m=10))
        await Report.filter(id=moved.id).update(lat=CENTRE[0] + 0.02)
        await deleted.delete()
        assert await nearby_open_reports(*CENTRE, "traffic", 250, now=clock()) == []
        [near] = await nearby_open_reports(CENTRE[0] + 0.02, CENTRE[1], "traffic", 250, now=clock())
        assert near.report.id == moved.id

    async def test_closed_reports_other_categories_and_own_reports_are_left_out(
        self, orm: None, clock: FrozenClock
    ) -> None:
        """Only open reports of the category, by someone else, nearest first, at most `limit`."""
        me, other = await resident(1), await resident(2)
        near = await report_at(other, *offset(*CENTRE, north_m=30))
        farther = await report_at(other, *offset(*CENTRE, east_m=120), status=Status.ACCEPTED)
        await report_at(other, *offset(*CENTRE, north_m=200))  # third: cut by the limit
        await report_at(other, *offset(*CENTRE, north_m=5), status=Status.FIXED)
        await report_at(other, *offset(*CENTRE, north_m=5), status=Status.REJECTED)
        await report_at(other, *offset(*CENTRE, north_m=5), category="ebike")
        await report_at(me, *offset(*CENTRE, north_m=5))
        found = await nearby_open_reports(*CENTRE, "traffic", 250, now=clock(), limit=2, exclude_reporter_id=me.id)
        assert [item.report.id for item in found] == [near.id, farther.id]
        assert round(found[0].distance_m) == 30

    async def test_status_changes_take_reports_out_of_and_back_into_the_offer(
        self, orm: None, clock: FrozenClock
    ) -> None:
        """Fixed: no longer offered; reopened: offered again (the open-reports index follows status)."""
        other = await resident(2)
        report = await report_at(other, *CENTRE)
        await transition(report, Status.ACCEPTED, actor="staff:1", now=clock(), sla=SLA)
        await transition(report, Status.FIXED, actor="staff:1", now=clock(), sla=SLA)
        assert await nearby_open_reports(*CENTRE, "traffic", 250, now=clock()) == []
        await transition(report, Status.REOPENED, actor="resident:2", now=clock(), sla=SLA)
        [near] = await nearby_open_reports(*CENTRE, "traffic", 250, now=clock())
        assert near.report.id == report.id

    async def test_sqlite_plan_starts_from_the_r_tree(self, orm: None) -> None:
        """The nearby query walks the open-reports R*Tree, then looks reports up by id: no table scan."""
        client = Report._meta.db
        if client.capabilities.dialect != "sqlite":
            pytest.skip("an SQLite query plan")
        sql, params = await spatial_query(
            client, *CENTRE, 250, "r.id", [("r.category = ?", ["traffic"])], open_only=True
        )
        plan = [row["detail"] for row in await client.execute_query_dict(f"EXPLAIN QUERY PLAN {sql}", params)]
        assert plan[0].startswith("SCAN box VIRTUAL TABLE INDEX")
        [lookup] = plan[1:]
        assert lookup.startswith("SEARCH r ") and "rowid=?" in lookup

    def test_migration_triggers_know_todays_open_statuses(self) -> None:
        """The open-reports index's triggers were written for these statuses: a change needs a migration."""
        migration = importlib.import_module("migrations.core.0002_duplicates")
        assert set(migration.OPEN_STATUSES) == set(OPEN_STATUSES)

    async def test_age_is_measured_from_now(self, orm: None, clock: FrozenClock) -> None:
        """A report filed three days ago is three days old."""
        other = await resident(2)
        await report_at(other, *CENTRE, now=clock.now.replace(day=20))
        [near] = await nearby_open_reports(*CENTRE, "traffic", 250, now=clock())
        assert near.age.days == 3

    @pytest.mark.parametrize("lat", [0.0, 31.23, -45.0, 69.6])
    def test_bounding_box_holds_every_point_on_the_circle(self, lat: float) -> None:
        """Points exactly `radius_m` away in 36 directions fall inside the box, at any latitude."""
        radius_m = 500.0
        box = bounding_box(lat, 10.0, radius_m)
        for step in range(36):
            angle = math.radians(step * 10)
            # Walk the great circle: destination point formula.
            delta, phi1, bearing = radius_m / (M_PER_DEGREE * 180 / math.pi), math.radians(lat), angle
            phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(bearing))
            lam = math.atan2(
                math.sin(bearing) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
            )
            point = (math.degrees(phi2), 10.0 + math.degrees(lam))
            assert box.min_lat <= point[0] <= box.max_lat and box.min_lon <= point[1] <= box.max_lon
        assert box.max_lat - lat < radius_m / M_PER_DEGREE * BOX_MARGIN * 1.0001


class TestPhotoMatches:
    async def test_near_photo_within_a_kilometre_matches_in_any_category_and_status(
        self, orm: None, clock: FrozenClock
    ) -> None:
        """4 bits apart, 900 m away, another category, already fixed: still a match."""
        other = await resident(2)
        fixed = await report_at(
            other, *offset(*CENTRE, east_m=900), category="ebike", status=Status.FIXED, phash=PHASH_A_NEAR
        )
        [match] = await photo_matches([PHASH_A], *CENTRE)
        assert (match.report.id, match.phash_distance) == (fixed.id, 4)

    async def test_far_photo_or_far_place_does_not_match(self, orm: None, clock: FrozenClock) -> None:
        """16 bits apart (the Canon pair's distance) or 1.1 km away: no match."""
        other = await resident(2)
        await report_at(other, *CENTRE, phash=PHASH_A_FAR)
        await report_at(other, *offset(*CENTRE, north_m=1100), phash=PHASH_A)
        assert await photo_matches([PHASH_A], *CENTRE) == []

    async def test_blank_images_never_match_each_other(self, orm: None, clock: FrozenClock) -> None:
        """Two uniform pictures share the hash 8000000000000000 but say nothing: no match, no flag."""
        me, other = await resident(1), await resident(2)
        await report_at(other, *CENTRE, phash=BLANK_PHASH)
        mine = await report_at(me, *offset(*CENTRE, north_m=20), phash=BLANK_PHASH)
        assert not is_informative(BLANK_PHASH) and is_informative(PHASH_A)
        assert await photo_matches([BLANK_PHASH], *CENTRE) == []
        assert await flag_report(mine, DedupRules(), clock()) == []

    async def test_flags_name_the_earlier_report_and_who_sent_it(self, orm: None, clock: FrozenClock) -> None:
        """A new report is flagged against another resident's photo and against its reporter's own."""
        me, other = await resident(1), await resident(2)
        theirs = await report_at(other, *CENTRE, phash=PHASH_A)
        earlier_mine = await report_at(me, *offset(*CENTRE, north_m=300), phash=PHASH_A)
        new = await report_at(me, *offset(*CENTRE, north_m=10), category="other", phash=PHASH_A_NEAR)
        await flag_report(new, DedupRules(), clock())
        await flag_report(new, DedupRules(), clock())  # idempotent
        flags = {
            (flag.similar_to_id, flag.kind, flag.phash_distance)  # type: ignore[attr-defined]
            for flag in await DuplicateFlag.filter(report_id=new.id)
        }
        assert flags == {(theirs.id, FlagKind.PHOTO, 4), (earlier_mine.id, FlagKind.SAME_REPORTER_PHOTO, 4)}

    async def test_same_user_same_photo_by_bytes_or_by_hash(self, orm: None, clock: FrozenClock) -> None:
        """The resident's own earlier report is found by SHA-256 or an identical pHash, never someone else's."""
        me, other = await resident(1), await resident(2)
        mine = await report_at(me, *CENTRE, phash=PHASH_A, sha256="a" * 64)
        await report_at(other, *CENTRE, phash=PHASH_A_NEAR, sha256="b" * 64)
        by_bytes = await same_user_same_photo(me.id, sha256="a" * 64, phash=PHASH_A_FAR)
        by_hash = await same_user_same_photo(me.id, sha256="c" * 64, phash=PHASH_A)
        assert by_bytes is not None and by_hash is not None and by_bytes.id == by_hash.id == mine.id
        assert await same_user_same_photo(me.id, sha256="b" * 64, phash=PHASH_A_NEAR) is None
        assert await same_user_same_photo(other.id, sha256="c" * 64, phash=BLANK_PHASH) is None


class TestFollow:
    async def test_follow_is_idempotent_and_never_on_ones_own_report(self, orm: None) -> None:
        """First tap follows, the second changes nothing, the reporter cannot follow their own report."""
        reporter, supporter = await resident(1), await resident(2)
        report = await report_at(reporter, *CENTRE)
        assert await follow(report, supporter) is FollowOutcome.FOLLOWING
        assert await follow(report, supporter) is FollowOutcome.ALREADY_FOLLOWING
        assert await follow(report, reporter) is FollowOutcome.OWN_REPORT
        followers = await ReportFollower.filter(report_id=report.id).values_list("resident_id", flat=True)
        assert list(followers) == [supporter.id]

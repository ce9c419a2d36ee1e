"""read_exif_facts on the 40 shared reference photos, on synthetic EXIF and on mangled bytes."""

from __future__ import annotations

import logging
import math
import random
from datetime import UTC, datetime, timedelta, timezone
from io import BytesIO
from typing import Any

import exifread
import pytest
from exifread.utils import Ratio
from PIL import Image, TiffImagePlugin

from bot.reports.exif import ExifFacts, gps_position, read_exif_facts
from tests.photos import ManifestRow, manifest_row, manifest_rows

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # the day the reference photos were collected
ROWS = manifest_rows()
#: DateTimeOriginal values real cameras write when they know no date, plus plain junk.
BAD_DATES = ["    :  :     :  :", "0000:00:00 00:00:00", "2024:13:45 10:00:00", "soon", ""]
#: What the manifest's datetime_original column cannot say: moto_g9's EXIF is only readable by
#: Pillow (the manifest notes give its DateTimeOriginal).
TAKEN_AT_OVERRIDES = {"moto_g9_exif_unreadable_by_exifread.jpg": "2025:06:01 16:59:26"}
#: The manifest's orientation column came from exifread, which cannot see moto_g9's EXIF (Pillow: 1).
ORIENTATION_OVERRIDES = {"moto_g9_exif_unreadable_by_exifread.jpg": 1}

logging.getLogger("exifread").setLevel(logging.CRITICAL)


def file_id(row: ManifestRow) -> str:
    return row.file.removesuffix(".jpg")


def expected_wall_clock(row: ManifestRow) -> datetime | None:
    """The manifest's capture time when it is usable: a real date, not after NOW + 1 day."""
    text = TAKEN_AT_OVERRIDES.get(row.file, row.datetime_original)
    try:
        wall_clock = datetime.strptime(text, "%Y:%m:%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return None if wall_clock > NOW + timedelta(days=1) else wall_clock


def jpeg_with_exif(exif: Image.Exif) -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def exif_with(
    *,
    taken: str | None = None,
    offset: str | None = None,
    orientation: int | None = None,
) -> Image.Exif:
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    sub = exif.get_ifd(0x8769)
    if taken is not None:
        sub[0x9003] = taken
    if offset is not None:
        sub[0x9011] = offset
    return exif


def ratios(*values: tuple[int, int]) -> list[Ratio]:
    return [Ratio(numerator, denominator) for numerator, denominator in values]


def raw_gps(lat: Any, lon: Any, lat_ref: Any = "N", lon_ref: Any = "E") -> dict[str, Any]:
    return {"lat": lat, "lon": lon, "lat_ref": lat_ref, "lon_ref": lon_ref}


class TestReferencePhotos:
    @pytest.mark.parametrize("row", ROWS, ids=file_id)
    def test_gps_matches_manifest(self, row: ManifestRow) -> None:
        """Usable positions to 1e-5 degrees (S/W negative); none, 0,0 or junk GPS gives None."""
        facts = read_exif_facts(row.read_bytes(), now=NOW)
        if row.usable_gps is None:
            assert facts.gps is None
        else:
            assert facts.gps == pytest.approx(row.usable_gps, abs=1e-5)

    @pytest.mark.parametrize("row", ROWS, ids=file_id)
    def test_orientation_matches_manifest(self, row: ManifestRow) -> None:
        """The Orientation tag is read as written; absent means None."""
        expected = ORIENTATION_OVERRIDES.get(row.file, row.orientation)
        assert read_exif_facts(row.read_bytes(), now=NOW).orientation == expected

    @pytest.mark.parametrize("row", ROWS, ids=file_id)
    def test_taken_at_matches_manifest(self, row: ManifestRow) -> None:
        """A real DateTimeOriginal comes back zone-aware; blank, zero and future dates are None."""
        taken_at = read_exif_facts(row.read_bytes(), now=NOW).taken_at
        expected = expected_wall_clock(row)
        if expected is None:
            assert taken_at is None
        else:
            assert taken_at is not None
            assert taken_at.tzinfo is not None
            assert taken_at.replace(tzinfo=UTC) == expected  # the wall-clock time, as written

    def test_zero_denominator_seconds_count_as_zero(self) -> None:
        """Nikon D5000 writes 0/0 seconds (exifread's own helper raises ZeroDivisionError)."""
        facts = read_exif_facts(manifest_row("nikon_d5000_gps_zero_denominator.jpg").read_bytes(), now=NOW)
        assert facts.gps == pytest.approx((48.8887263, 21.0432512), abs=1e-7)

    def test_gps_written_as_text_is_not_used(self) -> None:
        """ASCII "52,00000,50,00000,..." GPS breaks the spec; it is treated as absent, not guessed at."""
        data = manifest_row("gps_as_ascii_string.jpg").read_bytes()
        tags = exifread.process_file(BytesIO(data), details=False)
        assert str(tags["GPS GPSLatitude"]) == "52,00000,50,00000,34,01180"  # the text really is there
        assert read_exif_facts(data, now=NOW).gps is None

    def test_exif_hidden_from_exifread_is_read_by_pillow(self) -> None:
        """moto g9 puts APP1 ~143 KB in; exifread returns nothing, the Pillow fallback finds it."""
        data = manifest_row("moto_g9_exif_unreadable_by_exifread.jpg").read_bytes()
        assert exifread.process_file(BytesIO(data), details=False) == {}
        facts = read_exif_facts(data, now=NOW)
        assert facts.taken_at == datetime(2025, 6, 1, 16, 59, 26, tzinfo=UTC)
        assert facts.gps is None  # its GPS IFD holds zeroed lat/lon and NUL refs

    def test_offset_time_original_sets_the_zone(self) -> None:
        """Nokia 8.3 writes OffsetTimeOriginal +03:00; older files without it are read as UTC."""
        nokia = read_exif_facts(manifest_row("nokia_8_3_gps.jpg").read_bytes(), now=NOW).taken_at
        iphone = read_exif_facts(manifest_row("iphone4_gps_rome.jpg").read_bytes(), now=NOW).taken_at
        assert nokia is not None
        assert nokia.utcoffset() == timedelta(hours=3)
        assert iphone is not None
        assert iphone.utcoffset() == timedelta(0)

    def test_future_date_is_kept_once_now_has_caught_up(self) -> None:
        """The Polaroid's 2026-11-24 is refused on 11-22 but fine on 11-24: the check is relative."""
        data = manifest_row("polaroid_ion230_future_datetime.jpg").read_bytes()
        assert read_exif_facts(data, now=NOW).taken_at is None
        later = read_exif_facts(data, now=datetime(2026, 11, 24, 15, 0, tzinfo=UTC)).taken_at
        assert later == datetime(2026, 11, 24, 14, 41, 16, tzinfo=UTC)


class TestGpsPosition:
    def test_south_and_west_are_negative(self) -> None:
        raw = raw_gps(ratios((33, 1), (51, 1), (309, 10)), ratios((70, 1), (30, 1), (0, 1)), "S", "W")
        assert gps_position(raw) == pytest.approx((-(33 + 51 / 60 + 30.9 / 3600), -70.5))

    def test_pillow_rationals_work_too(self) -> None:
        rational = TiffImagePlugin.IFDRational
        raw = raw_gps((rational(10, 1), rational(30, 1)), (rational(20, 1),), b"N\x00", "E")
        assert gps_position(raw) == pytest.approx((10.5, 20.0))

    @pytest.mark.parametrize(
        ("raw", "why"),
        [
            (raw_gps(ratios((0, 0), (0, 0), (0, 0)), ratios((0, 0), (0, 0), (0, 0)), None, None), "all 0/0"),
            (raw_gps(ratios((0, 0), (5, 1)), ratios((20, 1))), "degrees 0/0"),
            (raw_gps(ratios((10, 1), (5, 0)), ratios((20, 1))), "minutes n/0"),
            (raw_gps([math.nan, 1.0, 2.0], [20.0, 0.0, 0.0]), "NaN"),
            (raw_gps(ratios((0, 1), (0, 1), (0, 1)), ratios((0, 1), (0, 1), (0, 1))), "null island"),
            (raw_gps(ratios((0, 1)), ratios((0, 1)), "S", "W"), "null island as -0,-0"),
            (raw_gps(ratios((91, 1)), ratios((20, 1))), "latitude out of range"),
            (raw_gps(ratios((10, 1)), ratios((180, 1), (1, 1))), "longitude out of range"),
            (raw_gps(ratios((10, 1), (75, 1)), ratios((20, 1))), "minutes over 60"),
            (raw_gps(ratios((-10, 1)), ratios((20, 1))), "negative component"),
            (raw_gps(ratios((10, 1)), ratios((20, 1)), None, "E"), "latitude ref missing"),
            (raw_gps(ratios((10, 1)), ratios((20, 1)), "N", "\x00"), "longitude ref NUL"),
            (raw_gps(ratios((10, 1)), ratios((20, 1)), "E", "N"), "refs swapped"),
            (raw_gps("52,00000,50,00000,34,01180", "11,00000,10,00000,58,28360"), "ASCII text"),
            (raw_gps(ratios((1, 1), (1, 1), (1, 1), (1, 1)), ratios((20, 1))), "four components"),
            (raw_gps(None, None), "absent"),
        ],
        ids=lambda value: value if isinstance(value, str) else "",
    )
    def test_unusable_values_give_none(self, raw: dict[str, Any], why: str) -> None:
        assert gps_position(raw) is None, why


class TestTakenAt:
    def test_naive_time_is_read_as_utc(self) -> None:
        facts = read_exif_facts(jpeg_with_exif(exif_with(taken="2024:05:01 10:00:00")), now=NOW)
        assert facts.taken_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

    def test_offset_is_applied(self) -> None:
        exif = exif_with(taken="2024:05:01 10:00:00", offset="-05:30")
        facts = read_exif_facts(jpeg_with_exif(exif), now=NOW)
        assert facts.taken_at == datetime(2024, 5, 1, 10, 0, tzinfo=timezone(-timedelta(hours=5, minutes=30)))

    def test_impossible_offset_falls_back_to_utc(self) -> None:
        exif = exif_with(taken="2024:05:01 10:00:00", offset="+99:00")
        facts = read_exif_facts(jpeg_with_exif(exif), now=NOW)
        assert facts.taken_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)

    @pytest.mark.parametrize("text", BAD_DATES)
    def test_unparsable_dates_give_none(self, text: str) -> None:
        assert read_exif_facts(jpeg_with_exif(exif_with(taken=text)), now=NOW).taken_at is None

    def test_one_day_ahead_is_the_limit(self) -> None:
        """Up to a day ahead is a camera in another zone; further ahead is a wrong clock."""
        limit, beyond = NOW + timedelta(days=1), NOW + timedelta(days=1, seconds=1)
        for moment, kept in ((limit, True), (beyond, False)):
            data = jpeg_with_exif(exif_with(taken=moment.strftime("%Y:%m:%d %H:%M:%S")))
            assert (read_exif_facts(data, now=NOW).taken_at is not None) is kept

    def test_naive_now_is_taken_as_utc(self) -> None:
        data = jpeg_with_exif(exif_with(taken="2024:05:01 10:00:00"))
        assert read_exif_facts(data, now=NOW.replace(tzinfo=None)).taken_at is not None

    @pytest.mark.parametrize(("value", "expected"), [(6, 6), (1, 1), (0, None), (9, None)])
    def test_orientation_outside_1_to_8_is_none(self, value: int, expected: int | None) -> None:
        assert read_exif_facts(jpeg_with_exif(exif_with(orientation=value)), now=NOW).orientation == expected


# Pillow warns (UserWarning) about the corrupt EXIF these tests feed it; that is expected here.
@pytest.mark.filterwarnings("ignore::UserWarning:PIL.TiffImagePlugin")
class TestNeverRaises:
    @pytest.mark.parametrize("row", ROWS, ids=file_id)
    def test_truncated_files_give_facts_or_nothing(self, row: ManifestRow) -> None:
        """Every reference photo cut at several points (inside EXIF too) is read without raising."""
        data = row.read_bytes()
        for cut in (0, 1, 3, 12, 40, 200, 1000, 5000, len(data) // 2):
            assert isinstance(read_exif_facts(data[:cut], now=NOW), ExifFacts)

    def test_flipped_bytes_in_exif_blocks_are_survived(self) -> None:
        """Random byte flips in the first 4 KB (where EXIF lives) of real photos never raise."""
        rng = random.Random(20261122)
        sources = [row.read_bytes() for row in ROWS if row.has_gps][:8]
        for _ in range(300):
            data = bytearray(rng.choice(sources))
            for _ in range(rng.randint(1, 12)):
                data[rng.randrange(2, 4096)] = rng.randrange(256)
            assert isinstance(read_exif_facts(bytes(data), now=NOW), ExifFacts)

    @pytest.mark.parametrize(
        "data",
        [
            b"",
            b"\xff\xd8",
            b"%PDF-1.4\n",
            b"II*\x00" + b"\xff" * 60,
            b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 8,
        ],
    )
    def test_non_images_give_no_facts(self, data: bytes) -> None:
        assert read_exif_facts(data, now=NOW) == ExifFacts(gps=None, taken_at=None, orientation=None)

"""process_photo on the 40 shared reference photos: GPS, metadata removal, orientation, near-duplicates."""

from __future__ import annotations

import re

import numpy as np
import pytest

from bot.reports.photos import PhotoRejectedError, RejectReason, perceptual_hash, phash_distance
from tests.bot.reports.photo_helpers import (
    DECODABLE,
    LIMITS,
    UNDECODABLE,
    UNDO_ORIENTATION,
    assert_no_metadata,
    clean,
    decoded,
    file_id,
)
from tests.photos import ManifestRow


class TestReferencePhotos:
    @pytest.mark.parametrize("row", DECODABLE, ids=file_id)
    def test_decodable_photo_becomes_clean_jpeg_and_thumbnail(self, row: ManifestRow, processed) -> None:
        """Every decodable photo is stored as an RGB JPEG within the size limits, with a thumbnail."""
        photo = clean(processed, row.file)
        stored, thumbnail = decoded(photo.jpeg), decoded(photo.thumbnail_jpeg)
        assert stored.format == thumbnail.format == "JPEG"
        assert stored.size == (photo.width_px, photo.height_px)
        assert max(stored.size) <= LIMITS.max_side_px
        assert max(thumbnail.size) <= LIMITS.thumbnail_side_px
        assert (thumbnail.width >= thumbnail.height) == (stored.width >= stored.height)
        assert len(photo.sha256) == 64
        assert photo.sha256.startswith(row.sha256_prefix)
        assert re.fullmatch("[0-9a-f]{16}", photo.phash)

    @pytest.mark.parametrize("row", DECODABLE, ids=file_id)
    def test_size_is_kept_or_brought_within_max_side(self, row: ManifestRow, processed) -> None:
        """Small photos keep their pixels; big ones end between 3/4 and all of max_side_px."""
        photo = clean(processed, row.file)
        assert row.width_px is not None
        assert row.height_px is not None
        longest_px = max(row.width_px, row.height_px)
        if longest_px <= LIMITS.max_side_px:
            turned = row.orientation in (5, 6, 7, 8)
            expected = (row.height_px, row.width_px) if turned else (row.width_px, row.height_px)
            assert (photo.width_px, photo.height_px) == expected
        else:
            assert 0.75 * LIMITS.max_side_px <= max(photo.width_px, photo.height_px) <= LIMITS.max_side_px

    @pytest.mark.parametrize("row", UNDECODABLE, ids=file_id)
    def test_undecodable_photo_is_refused_as_damaged(self, row: ManifestRow, processed) -> None:
        """Truncated image data and EXIF-only files are refused, not half-stored."""
        result = processed[row.file]
        assert isinstance(result, PhotoRejectedError)
        assert result.reason is RejectReason.DAMAGED

    @pytest.mark.parametrize("row", DECODABLE, ids=file_id)
    def test_gps_matches_manifest(self, row: ManifestRow, processed) -> None:
        """A usable EXIF position is returned to 1e-5 degrees; none, 0,0 or junk gives None."""
        photo = clean(processed, row.file)
        if row.usable_gps is None:
            assert photo.gps is None
        else:
            assert photo.gps == pytest.approx(row.usable_gps, abs=1e-5)

    @pytest.mark.parametrize("row", DECODABLE, ids=file_id)
    def test_stored_files_carry_no_metadata(self, row: ManifestRow, processed) -> None:
        """The stored JPEG and thumbnail have no EXIF, GPS, XMP, ICC or comment segment."""
        photo = clean(processed, row.file)
        assert_no_metadata(photo.jpeg)
        assert_no_metadata(photo.thumbnail_jpeg)

    @pytest.mark.parametrize(
        "row", [row for row in DECODABLE if row.orientation in (None, 1) and row.raw_phash], ids=file_id
    )
    def test_phash_matches_manifest_for_upright_files(self, row: ManifestRow, processed) -> None:
        """Without a rotation, the thumbnail's pHash is the manifest's full-image pHash (within 2 bits)."""
        assert row.raw_phash is not None
        assert phash_distance(clean(processed, row.file).phash, row.raw_phash) <= 2


class TestOrientation:
    @pytest.mark.parametrize(
        # xiaomi_empty_gps_ifd_orient6 is 10x10: below the 32x32 hash grid, re-encoding alone moves bits.
        "row",
        [row for row in DECODABLE if row.orientation in UNDO_ORIENTATION and min(row.width_px or 0, 99) > 32],
        ids=file_id,
    )
    def test_rotated_photo_is_stored_upright(self, row: ManifestRow, processed) -> None:
        """Undoing the EXIF rotation on the stored pixels gives back the raw file's picture."""
        assert row.orientation is not None
        assert row.raw_phash is not None
        photo = clean(processed, row.file)
        undone = decoded(photo.jpeg).transpose(UNDO_ORIENTATION[row.orientation])
        # Within a few bits, not 0: the stored pixels are also converted from the file's colour
        # profile (Generic RGB for orientation_6/8) to sRGB. A wrong turn is 16 bits or more away.
        assert phash_distance(perceptual_hash(undone), row.raw_phash) <= 5
        assert phash_distance(photo.phash, row.raw_phash) >= 16  # so it really was turned

    def test_orientation_series_is_stored_as_one_picture(self, processed) -> None:
        """orientation_1/6/8 hold one scene; stored upright they match in size, hash and pixels."""
        base = clean(processed, "orientation_1.jpg")
        base_pixels = np.asarray(decoded(base.jpeg), dtype=np.int16)
        for file in ("orientation_6.jpg", "orientation_8.jpg"):
            photo = clean(processed, file)
            assert (photo.width_px, photo.height_px) == (base.width_px, base.height_px) == (600, 450)
            assert phash_distance(photo.phash, base.phash) <= 2
            pixels = np.asarray(decoded(photo.jpeg), dtype=np.int16)
            # Same scene from different encodes differs by ~15 levels; a wrong turn by ~68.
            assert np.abs(pixels - base_pixels).mean() < 25

    def test_upside_down_iphone_photo_stays_landscape(self, processed) -> None:
        """Orientation 3 is a half turn: the stored photo keeps its landscape shape."""
        photo = clean(processed, "iphone5_gps_orient3.jpg")
        assert photo.width_px > photo.height_px


class TestNearDuplicates:
    @pytest.mark.parametrize(
        ("first", "second"),
        [
            ("pixel_gps_full.jpg", "pixel_gps_small.jpg"),
            ("iphone6_hdr_off_gps.jpg", "iphone6_hdr_on_gps.jpg"),
        ],
    )
    def test_same_shot_is_a_near_duplicate(self, first: str, second: str, processed) -> None:
        """A rescaled copy and an HDR twin are within 8 bits."""
        assert phash_distance(clean(processed, first).phash, clean(processed, second).phash) <= 8

    def test_similar_but_different_shot_is_not(self, processed) -> None:
        """The Canon SX60 pair, 26 s apart, is a different photo (more than 8 bits)."""
        first, second = (
            clean(processed, "canon_sx60_hdr_off_orient6.jpg"),
            clean(processed, "canon_sx60_hdr_on_orient6.jpg"),
        )
        assert phash_distance(first.phash, second.phash) > 8

    def test_exif_stripped_copy_hashes_the_same(self, processed) -> None:
        """Metadata plays no part in the hash."""
        first = clean(processed, "canon_s40_with_exif.jpg")
        second = clean(processed, "canon_s40_exif_stripped.jpg")
        assert first.phash == second.phash
        assert first.sha256 != second.sha256

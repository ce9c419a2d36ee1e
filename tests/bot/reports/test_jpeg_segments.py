"""Keeping an upright sRGB JPEG's own compressed picture: same pixels, no metadata, bounded weight."""

from __future__ import annotations

from io import BytesIO

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageCms

from bot.reports.jpeg_segments import kept_scan
from bot.reports.photos import process_photo
from tests.bot.reports.photo_helpers import DECODABLE, LIMITS, NOW, assert_no_metadata, encode, file_id, gps_exif
from tests.photos import ManifestRow, manifest_row

#: Reference photos that need no pixel change: upright, stored at full size, no wide-gamut profile.
KEEPABLE = [
    row
    for row in DECODABLE
    if row.orientation in (None, 1)
    and max(row.width_px or 0, row.height_px or 0) <= LIMITS.max_side_px
    and row.file not in ("orientation_6.jpg", "orientation_8.jpg")  # Generic RGB: converted
]
SECRETS = {
    "comment": b"home: Elm St 5",
    "xmp": b"<x:xmpmeta>secret-xmp</x:xmpmeta>",
    "exif": gps_exif(),
}


def pixels(jpeg: bytes) -> np.ndarray:
    with Image.open(BytesIO(jpeg)) as im:
        return np.asarray(im.convert("RGB"))


def picture(file: str = "htc_desire_gps.jpg") -> Image.Image:
    with Image.open(manifest_row(file).path) as im:
        return im.convert("RGB")


def with_segment(jpeg: bytes, marker: int, payload: bytes, *, before: bytes = b"\xff\xdb") -> bytes:
    """`jpeg` with one more segment, put before the first `before` marker (the first DQT by default)."""
    at = jpeg.index(before)
    return jpeg[:at] + bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload + jpeg[at:]


def with_comment_between_scans(progressive: bytes, comment: bytes) -> bytes:
    second_scan = progressive.index(b"\xff\xda", progressive.index(b"\xff\xda") + 2)
    return (
        progressive[:second_scan]
        + b"\xff\xfe"
        + (len(comment) + 2).to_bytes(2, "big")
        + comment
        + (progressive[second_scan:])
    )


@pytest.mark.parametrize("row", KEEPABLE, ids=file_id)
def test_an_upright_srgb_photo_is_stored_with_the_uploads_own_pixels(row: ManifestRow, processed) -> None:
    """No second generation of JPEG loss: Pillow decodes the stored file and the upload alike."""
    stored = processed[row.file].jpeg
    assert np.array_equal(pixels(stored), pixels(row.read_bytes()))
    assert len(stored) < len(row.read_bytes()) or row.file == "canon_s40_exif_stripped.jpg"


def test_exif_xmp_icc_and_comment_are_dropped_from_a_kept_photo() -> None:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    upload = encode(picture(), "JPEG", quality=90, icc_profile=icc, **SECRETS)
    stored = process_photo(upload, limits=LIMITS, now=NOW).jpeg
    assert np.array_equal(pixels(stored), pixels(upload))  # kept, not re-encoded
    assert_no_metadata(stored)
    for secret in (b"Elm St", b"secret-xmp", b"Secret Camera", b"ICC_PROFILE"):
        assert secret not in stored


def test_photoshop_iptc_and_maker_segments_are_dropped() -> None:
    upload = encode(picture(), "JPEG", quality=90)
    upload = with_segment(upload, 0xED, b"Photoshop 3.0\x00secret-iptc")
    upload = with_segment(upload, 0xE6, b"MMIMETA secret-maker-data")
    stored = process_photo(upload, limits=LIMITS, now=NOW).jpeg
    assert np.array_equal(pixels(stored), pixels(upload))
    assert b"secret-iptc" not in stored
    assert b"secret-maker-data" not in stored
    assert_no_metadata(stored)


def test_bytes_after_the_end_of_image_are_dropped() -> None:
    upload = encode(picture(), "JPEG", quality=90) + b"\x00secret trailer: a second picture"
    stored = process_photo(upload, limits=LIMITS, now=NOW).jpeg
    assert stored.endswith(b"\xff\xd9")
    assert b"secret trailer" not in stored
    assert np.array_equal(pixels(stored), pixels(upload))


def test_a_comment_between_progressive_scans_is_dropped() -> None:
    progressive = encode(picture(), "JPEG", quality=90, progressive=True)
    upload = with_comment_between_scans(progressive, b"secret between scans")
    stored = process_photo(upload, limits=LIMITS, now=NOW).jpeg
    assert b"secret between scans" not in stored
    assert np.array_equal(pixels(stored), pixels(progressive))
    assert_no_metadata(stored)


def test_restart_markers_inside_the_scan_are_kept() -> None:
    upload = encode(picture(), "JPEG", quality=90, restart_marker_blocks=4)
    stored = process_photo(upload, limits=LIMITS, now=NOW).jpeg
    assert stored.count(b"\xff\xd0") == upload.count(b"\xff\xd0") > 10  # RST0 markers, one in eight
    assert np.array_equal(pixels(stored), pixels(upload))


def test_a_rotated_upload_is_still_turned_upright() -> None:
    source = picture()  # 776 x 909; Orientation 6 asks for a quarter turn clockwise
    upload = encode(source, "JPEG", quality=90, exif=gps_exif(orientation=6))
    stored = pixels(process_photo(upload, limits=LIMITS, now=NOW).jpeg).astype(np.int16)
    turned = np.asarray(Image.fromarray(pixels(upload)).transpose(Image.Transpose.ROTATE_270), dtype=np.int16)
    assert stored.shape == turned.shape == (776, 909, 3)
    assert np.abs(stored - turned).mean() < 2  # turned, then re-encoded


def test_a_wide_gamut_upload_is_still_converted_to_srgb() -> None:
    with Image.open(manifest_row("orientation_6.jpg").path) as tagged:
        generic_rgb = tagged.info["icc_profile"]
    upload = encode(picture(), "JPEG", quality=90, icc_profile=generic_rgb)
    stored = pixels(process_photo(upload, limits=LIMITS, now=NOW).jpeg).astype(np.int16)
    converted = ImageCms.profileToProfile(
        Image.fromarray(pixels(upload)), ImageCms.ImageCmsProfile(BytesIO(generic_rgb)), ImageCms.createProfile("sRGB")
    )
    assert converted is not None
    assert np.abs(stored - np.asarray(converted, dtype=np.int16)).mean() < 2  # converted, then re-encoded
    assert np.abs(stored - pixels(upload).astype(np.int16)).mean() > 5  # and visibly unlike the upload


def test_an_rgb_encoded_jpeg_is_re_encoded_not_relabelled() -> None:
    """Channels stored as RGB (Adobe transform 0) would read wrongly behind a JFIF header."""
    upload = encode(picture(), "JPEG", quality=90, keep_rgb=True)
    assert kept_scan(upload) is None
    stored = pixels(process_photo(upload, limits=LIMITS, now=NOW).jpeg).astype(np.int16)
    assert np.abs(stored - pixels(upload).astype(np.int16)).mean() < 2


@pytest.mark.parametrize(
    "file", ["iphone6_hdr_off_gps.jpg", "pixel_gps_full.jpg", "moto_g9_exif_unreadable_by_exifread.jpg"]
)
def test_a_q95_phone_photo_is_kept_and_a_q100_one_re_encoded(file: str) -> None:
    """Storage stays bounded: a file far heavier than a stored photo should be is re-encoded."""
    source = picture(file)
    source.thumbnail((1280, 1280))  # the size Telegram sends
    q95, q100 = encode(source, "JPEG", quality=95), encode(source, "JPEG", quality=100)
    assert kept_scan(q95) is not None
    assert kept_scan(q100) is None
    stored = process_photo(q100, limits=LIMITS, now=NOW).jpeg
    assert len(stored) < len(q100) / 2


def test_a_grey_or_cmyk_or_12_bit_frame_is_left_to_the_encoder() -> None:
    for image in (Image.new("L", (64, 48), 90), Image.new("CMYK", (64, 48), (0, 50, 90, 10))):
        assert kept_scan(encode(image, "JPEG", quality=90)) is None
    twelve_bit = bytearray(encode(picture(), "JPEG", quality=90))
    twelve_bit[twelve_bit.index(b"\xff\xc0") + 4] = 12
    assert kept_scan(bytes(twelve_bit)) is None


#: A small progressive photo with EXIF, so mutations land in metadata, tables, frame and scans alike.
_FUZZ_SOURCE = encode(picture("olympus_c750_zero_datetime.jpg"), "JPEG", quality=80, progressive=True, exif=gps_exif())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    changes=st.lists(st.tuples(st.integers(0, len(_FUZZ_SOURCE) - 1), st.integers(0, 255)), max_size=6),
    cut=st.integers(0, len(_FUZZ_SOURCE)),
    inserted=st.binary(max_size=8),
)
def test_mutated_bytes_give_none_or_a_jpeg_pillow_opens(
    changes: list[tuple[int, int]], cut: int, inserted: bytes
) -> None:
    mutated = bytearray(_FUZZ_SOURCE)
    for offset, value in changes:
        mutated[offset] = value
    mutated[cut:cut] = inserted
    kept = kept_scan(bytes(mutated))
    if kept is not None:
        assert kept.startswith(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") and kept.endswith(b"\xff\xd9")
        with Image.open(BytesIO(kept)) as im:
            assert im.format == "JPEG"
            assert im.mode == "RGB"

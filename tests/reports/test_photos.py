"""process_photo on the 40 shared reference photos and on synthetic edge cases."""

from __future__ import annotations

import logging
import random
import re
import struct
import warnings
from datetime import UTC, datetime
from io import BytesIO

import exifread
import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageCms, ImageFile, PngImagePlugin, TiffImagePlugin

from bot.reports.photos import (
    CleanPhoto,
    PhotoLimits,
    PhotoRejected,
    RejectReason,
    perceptual_hash,
    phash_distance,
    process_photo,
)
from tests.photos import ManifestRow, manifest_row, manifest_rows

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)  # the day the reference photos were collected
LIMITS = PhotoLimits()
ROWS = manifest_rows()
DECODABLE = [row for row in ROWS if row.decodable]
UNDECODABLE = [row for row in ROWS if not row.decodable]
#: The transpose that undoes what an EXIF orientation asked for (3: 180 degrees, 6/8: quarter turns).
UNDO_ORIENTATION = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,
    8: Image.Transpose.ROTATE_270,
}
#: JPEG markers a clean file may contain: SOI, APP0 (JFIF), DQT, SOF0/2, DHT, DRI, SOS.
ALLOWED_MARKERS = {0xD8, 0xE0, 0xDB, 0xC0, 0xC2, 0xC4, 0xDD, 0xDA}

logging.getLogger("exifread").setLevel(logging.CRITICAL)


def file_id(row: ManifestRow) -> str:
    return row.file.removesuffix(".jpg")


@pytest.fixture(scope="module")
def processed() -> dict[str, CleanPhoto | PhotoRejected]:
    """Each reference photo through the pipeline once; tests below look at the results."""
    results: dict[str, CleanPhoto | PhotoRejected] = {}
    for row in ROWS:
        try:
            results[row.file] = process_photo(row.read_bytes(), limits=LIMITS, now=NOW)
        except PhotoRejected as rejected:
            results[row.file] = rejected
    return results


def clean(processed: dict[str, CleanPhoto | PhotoRejected], file: str) -> CleanPhoto:
    result = processed[file]
    assert isinstance(result, CleanPhoto), f"{file} was refused: {result}"
    return result


def refusal(data: bytes, limits: PhotoLimits = LIMITS) -> RejectReason:
    with pytest.raises(PhotoRejected) as rejected:
        process_photo(data, limits=limits, now=NOW)
    return rejected.value.reason


def jpeg_markers(data: bytes) -> list[int]:
    """The marker of every segment up to the first scan (SOS), walking the segment lengths."""
    assert data[:2] == b"\xff\xd8"
    markers, offset = [0xD8], 2
    while True:
        assert data[offset] == 0xFF, f"no marker at {offset}"
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:
            return markers
        (length,) = struct.unpack_from(">H", data, offset + 2)
        offset += 2 + length


def assert_no_metadata(jpeg: bytes) -> None:
    """No EXIF/GPS, XMP, ICC, Photoshop or comment, by segment walk, exifread and Pillow."""
    markers = jpeg_markers(jpeg)
    assert set(markers) <= ALLOWED_MARKERS, [hex(marker) for marker in markers]
    assert markers.count(0xE0) == 1  # the one APP0 is Pillow's JFIF header
    assert jpeg[6:11] == b"JFIF\x00"
    assert jpeg.endswith(b"\xff\xd9")  # nothing appended after the image
    assert exifread.process_file(BytesIO(jpeg), details=True) == {}
    with Image.open(BytesIO(jpeg)) as im:
        assert len(im.getexif()) == 0
        assert not {"exif", "comment", "xmp", "icc_profile", "photoshop", "XML:com.adobe.xmp"} & set(im.info)
        assert im.mode == "RGB"


def decoded(jpeg: bytes) -> Image.Image:
    with Image.open(BytesIO(jpeg)) as im:
        im.load()
        return im


def encode(im: Image.Image, image_format: str, **params: object) -> bytes:
    out = BytesIO()
    im.save(out, image_format, **params)
    return out.getvalue()


def gps_exif(orientation: int = 1) -> bytes:
    """EXIF with GPS 33deg51'30.9"S 151deg12'30"E, a capture time, a camera model and an orientation."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x0110] = "Secret Camera 3000"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "S", 2: _dms(33, 51, 30.9), 3: "E", 4: _dms(151, 12, 30)})
    exif.get_ifd(0x8769)[0x9003] = "2024:05:01 10:00:00"
    return exif.tobytes()


def _dms(degrees: int, minutes: int, seconds: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    return tuple(TiffImagePlugin.IFDRational(value) for value in (degrees, minutes, seconds))


SYDNEY = (-(33 + 51 / 60 + 30.9 / 3600), 151 + 12 / 60 + 30 / 3600)


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
        assert isinstance(result, PhotoRejected)
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
        assert phash_distance(perceptual_hash(undone), row.raw_phash) <= 2
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


def _patched_sof_jpeg(width_px: int, height_px: int) -> bytes:
    """A 16x16 JPEG whose frame header claims another size, cut before its end marker.

    A classic decompression bomb; without the EOI marker libjpeg cannot pad the missing rows with
    grey, so any attempt to decode it fails as truncated.
    """
    data = bytearray(encode(Image.new("RGB", (16, 16), (90, 90, 90)), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height_px, width_px)
    assert data.endswith(b"\xff\xd9")
    return bytes(data[:-2])


class TestRefusals:
    def test_100_megapixel_jpeg_is_refused_without_decoding(self) -> None:
        """10000x10000 is refused from the header, with no Pillow bomb warning and no decode."""
        bomb = encode(Image.new("L", (10_000, 10_000), 128), "JPEG", quality=20)
        assert len(bomb) < 2_000_000  # small on disk, 100 MP once decoded
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert refusal(bomb) is RejectReason.TOO_MANY_PIXELS

    def test_pixel_check_comes_before_any_decode(self) -> None:
        """The header claims 10000x10000 over 16x16 of data: a decode would have found it damaged."""
        assert refusal(_patched_sof_jpeg(10_000, 10_000)) is RejectReason.TOO_MANY_PIXELS
        assert refusal(_patched_sof_jpeg(64, 64)) is RejectReason.DAMAGED  # the same file, within limits

    def test_webp_canvas_is_checked_before_libwebp_allocates_it(self) -> None:
        """An extended WebP header claiming 16384x16384 is refused from its first 30 bytes."""
        vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00\x00\x00\x00" + (16383).to_bytes(3, "little") * 2
        data = b"RIFF" + struct.pack("<I", 4 + len(vp8x)) + b"WEBP" + vp8x
        assert refusal(data) is RejectReason.TOO_MANY_PIXELS

    def test_pillow_globals_are_left_alone(self) -> None:
        """No process-wide switch is flipped to make the pipeline work."""
        max_pixels, load_truncated = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
        refusal(_patched_sof_jpeg(10_000, 10_000))
        process_photo(manifest_row("orientation_6.jpg").read_bytes(), limits=LIMITS, now=NOW)
        assert max_pixels == Image.MAX_IMAGE_PIXELS
        assert ImageFile.LOAD_TRUNCATED_IMAGES is load_truncated is False

    @pytest.mark.parametrize(
        "data",
        [
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n",
            "Здравствуйте! This text file was renamed photo.jpg\n".encode(),
            b"",
            b"\x00" * 64,
        ],
        ids=["pdf", "text-renamed-jpg", "empty", "zeros"],
    )
    def test_non_image_is_refused(self, data: bytes) -> None:
        """Bytes no image format claims are not an image."""
        assert refusal(data) is RejectReason.NOT_AN_IMAGE

    @pytest.mark.parametrize("image_format", ["GIF", "BMP", "TIFF", "ICO"])
    def test_other_image_format_is_unsupported(self, image_format: str) -> None:
        """A real image in a format we do not take is told apart from a non-image."""
        data = encode(Image.new("RGB", (40, 30), (10, 120, 200)), image_format)
        assert refusal(data) is RejectReason.UNSUPPORTED_FORMAT

    def test_more_than_max_bytes_is_too_large(self) -> None:
        """Over 20 MB is refused before anything looks inside."""
        assert refusal(b"\xff\xd8\xff" + b"\x00" * LIMITS.max_bytes) is RejectReason.TOO_LARGE

    def test_exactly_max_bytes_is_not_too_large(self) -> None:
        """The limit is inclusive: this file gets as far as the decoder."""
        data = b"\xff\xd8\xff" + b"\x00" * 997
        assert refusal(data, PhotoLimits(max_bytes=len(data))) is RejectReason.DAMAGED
        assert refusal(data, PhotoLimits(max_bytes=len(data) - 1)) is RejectReason.TOO_LARGE

    @pytest.mark.parametrize("keep", [0.9, 0.5, 0.1])
    def test_truncated_jpeg_is_damaged(self, keep: float) -> None:
        """A download cut short is refused rather than stored with a grey bottom."""
        data = manifest_row("nikon_p6000_gps_a.jpg").read_bytes()
        assert refusal(data[: int(len(data) * keep)]) is RejectReason.DAMAGED

    @pytest.mark.parametrize("image_format", ["PNG", "WEBP", "HEIF"])
    def test_truncated_png_webp_and_heif_are_damaged(self, image_format: str) -> None:
        """Every accepted format refuses a file cut short, whatever decoder it goes through."""
        pillow_heif.register_heif_opener()  # for encode(); the pipeline registers it itself
        noise = np.random.default_rng(7).integers(0, 256, (120, 160, 3), dtype=np.uint8)
        data = encode(Image.fromarray(noise), image_format)
        for keep in (0.5, 0.95):
            assert refusal(data[: int(len(data) * keep)]) is RejectReason.DAMAGED

    def test_mangled_files_raise_only_photo_rejected(self) -> None:
        """Random cuts and byte flips in real photos either process or are refused, never crash."""
        rng = random.Random(20261122)
        files = ("kodak_cx7530_gps_south.jpg", "nikon_d3100_gps.jpg")
        sources = [manifest_row(file).read_bytes() for file in files]
        for _ in range(60):
            data = bytearray(rng.choice(sources))
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
            data = data[: rng.randint(2, len(data))]
            try:
                photo = process_photo(bytes(data), limits=LIMITS, now=NOW)
            except PhotoRejected:
                continue
            assert_no_metadata(photo.jpeg)


class TestOtherFormats:
    @pytest.mark.parametrize("image_format", ["PNG", "WEBP"])
    def test_png_and_webp_are_accepted_and_cleaned(self, image_format: str) -> None:
        """EXIF (GPS, time, orientation), XMP and ICC are read or dropped; the output is a clean JPEG."""
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
        source = Image.new("RGB", (64, 48), (200, 30, 30))
        data = encode(source, image_format, exif=gps_exif(orientation=6), icc_profile=icc, xmp=xmp)
        photo = process_photo(data, limits=LIMITS, now=NOW)
        assert photo.gps == pytest.approx(SYDNEY, abs=1e-6)
        assert photo.taken_at == datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
        assert (photo.width_px, photo.height_px) == (48, 64)  # Orientation 6 applied
        assert_no_metadata(photo.jpeg)
        assert b"Secret Camera" in data
        assert b"Secret Camera" not in photo.jpeg

    def test_jpeg_comment_and_app_segments_are_dropped(self) -> None:
        """A JPEG's COM comment (which Pillow copies by default), EXIF, XMP and ICC are all dropped."""
        icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        source = Image.new("RGB", (64, 48), (20, 40, 200))
        metadata = {"exif": gps_exif(), "comment": b"home: Elm St 5", "icc_profile": icc, "xmp": b"<x/>"}
        data = encode(source, "JPEG", **metadata)
        with Image.open(BytesIO(data)) as reopened:
            assert reopened.info["comment"] == b"home: Elm St 5"  # the source really has one
        photo = process_photo(data, limits=LIMITS, now=NOW)
        assert photo.gps == pytest.approx(SYDNEY, abs=1e-6)
        assert_no_metadata(photo.jpeg)
        assert b"Elm St" not in photo.jpeg

    def test_png_text_chunks_are_dropped(self) -> None:
        """PNG tEXt/iTXt chunks (where editors put comments and XMP) do not reach the output."""
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "taken from my balcony at Elm St 5")
        info.add_itxt("Description", "taken from my balcony at Elm St 5")
        photo = process_photo(encode(Image.new("RGB", (30, 20)), "PNG", pnginfo=info), limits=LIMITS, now=NOW)
        assert_no_metadata(photo.jpeg)
        assert b"balcony" not in photo.jpeg

    def test_heic_is_accepted_and_turned_once(self) -> None:
        """HEIF is read through pillow_heif; its rotation is applied by libheif, and not again."""
        pillow_heif.register_heif_opener()  # for encode(); the pipeline registers it itself
        source = Image.new("RGB", (64, 48), (30, 160, 30))
        source.paste((250, 250, 0), (0, 0, 16, 16))  # a corner marker shows which way it was turned
        data = encode(source, "HEIF", exif=gps_exif(orientation=6), quality=90)
        assert data[4:12] == b"ftypheic"
        photo = process_photo(data, limits=LIMITS, now=NOW)
        assert (photo.width_px, photo.height_px) == (48, 64)
        assert photo.gps == pytest.approx(SYDNEY, abs=1e-6)
        top_right = decoded(photo.jpeg).getpixel((44, 3))  # orientation 6 puts the top-left corner here
        assert isinstance(top_right, tuple)
        assert min(top_right[:2]) > 200  # yellow
        assert_no_metadata(photo.jpeg)

    def test_transparent_png_gets_a_white_background(self) -> None:
        """Fully transparent pixels become white, not the black often stored under them."""
        source = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
        source.paste((255, 0, 0, 255), (0, 0, 10, 20))
        photo = process_photo(encode(source, "PNG"), limits=LIMITS, now=NOW)
        stored = decoded(photo.jpeg)
        white, red = stored.getpixel((15, 10)), stored.getpixel((4, 10))
        assert isinstance(white, tuple)
        assert min(white) > 240
        assert isinstance(red, tuple)
        assert red[0] > 200
        assert red[1] < 60

    @pytest.mark.parametrize("mode", ["L", "CMYK"])
    def test_grey_and_cmyk_jpegs_are_stored_as_rgb(self, mode: str) -> None:
        """Whatever the source colour model, the stored photo is RGB."""
        photo = process_photo(encode(Image.new(mode, (50, 40)), "JPEG"), limits=LIMITS, now=NOW)
        assert decoded(photo.jpeg).mode == "RGB"

    def test_big_png_is_shrunk_to_max_side(self) -> None:
        """Non-JPEG sources have no draft mode; they are resized to exactly max_side_px."""
        data = encode(Image.new("RGB", (3000, 1000), (5, 5, 5)), "PNG")
        photo = process_photo(data, limits=LIMITS, now=NOW)
        assert (photo.width_px, photo.height_px) == (2048, 683)

    def test_custom_limits_are_honoured(self) -> None:
        """Smaller limits give smaller photos and thumbnails."""
        limits = PhotoLimits(max_side_px=300, thumbnail_side_px=100)
        photo = process_photo(manifest_row("orientation_1.jpg").read_bytes(), limits=limits, now=NOW)
        assert max(photo.width_px, photo.height_px) <= 300
        assert max(decoded(photo.thumbnail_jpeg).size) <= 100


class TestPerceptualHash:
    def test_flat_image_hashes_to_the_dc_bit_only(self) -> None:
        """A single-colour image sets only the DC bit, with no float noise in the others."""
        assert perceptual_hash(Image.new("RGB", (64, 64), (120, 130, 140))) == "8000000000000000"

    def test_hash_survives_rescaling(self) -> None:
        """The same picture at half size hashes within 2 bits."""
        im = decoded(manifest_row("nikon_p6000_gps_a.jpg").read_bytes())
        assert phash_distance(perceptual_hash(im), perceptual_hash(im.reduce(2))) <= 2

    def test_distance_counts_differing_bits(self) -> None:
        assert phash_distance("ffffffffffffffff", "0000000000000000") == 64
        assert phash_distance("8000000000000001", "0000000000000000") == 2
        assert phash_distance("c5043eb73c3138f9", "c5043eb73c3138f9") == 0

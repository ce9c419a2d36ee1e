"""process_photo on synthetic inputs: refusals, bombs, other formats, the perceptual hash."""

from __future__ import annotations

import random
import struct
import warnings
from datetime import UTC, datetime
from io import BytesIO

import numpy as np
import pillow_heif
import pytest
from PIL import Image, ImageCms, ImageFile, PngImagePlugin

from bot.reports.photos import (
    PhotoLimits,
    PhotoRejectedError,
    RejectReason,
    perceptual_hash,
    phash_distance,
    process_photo,
)
from tests.bot.reports.photo_helpers import LIMITS, NOW, SYDNEY, assert_no_metadata, decoded, encode, gps_exif, refusal
from tests.photos import manifest_row


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
            except PhotoRejectedError:
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


class TestColourProfiles:
    """The ICC profile is dropped with the rest of the metadata, so the pixels are put in sRGB first."""

    @staticmethod
    def green_at_centre(jpeg: bytes) -> int:
        pixel = decoded(jpeg).getpixel((32, 24))
        assert isinstance(pixel, tuple)
        return int(pixel[1])

    @staticmethod
    def grey_with_profile(icc: bytes | None) -> bytes:
        return encode(Image.new("RGB", (64, 48), (128, 128, 128)), "JPEG", quality=95, icc_profile=icc)

    def test_a_wide_gamut_profile_is_converted_to_srgb(self) -> None:
        """Apple's Generic RGB (gamma 1.8, a reference photo's profile) brightens a mid grey in sRGB."""
        with Image.open(manifest_row("orientation_6.jpg").path) as tagged:
            generic_rgb = tagged.info["icc_profile"]
        untagged = process_photo(self.grey_with_profile(None), limits=LIMITS, now=NOW)
        converted = process_photo(self.grey_with_profile(generic_rgb), limits=LIMITS, now=NOW)
        assert abs(self.green_at_centre(untagged.jpeg) - 128) <= 2
        assert self.green_at_centre(converted.jpeg) >= 140

    def test_srgb_and_broken_profiles_leave_the_pixels_alone(self) -> None:
        srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
        for icc in (srgb, b"not a colour profile"):
            photo = process_photo(self.grey_with_profile(icc), limits=LIMITS, now=NOW)
            assert abs(self.green_at_centre(photo.jpeg) - 128) <= 2
            assert_no_metadata(photo.jpeg)

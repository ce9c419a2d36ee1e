"""The photo intake pipeline: untrusted upload bytes in, a clean JPEG + thumbnail + facts out.

This module owns what a stored report photo is: upright, RGB, at most `max_side_px` on its longest
side, a JPEG with no metadata at all (no EXIF/GPS, XMP, ICC profile or JPEG comment): re-encoded, or
for a JPEG that needs no pixel change its own compressed picture kept (bot.reports.jpeg_segments), plus a
thumbnail, the SHA-256 of the bytes the resident sent and a 64-bit perceptual hash for spotting
near-duplicates. It also owns the refusals: too large, not an image, an image format we do not take,
a decompression bomb, or damaged data. Nothing else leaves `process_photo` as an exception.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache, lru_cache
from io import BytesIO

import numpy as np
from PIL import Image, ImageCms, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from bot.reports.exif import read_exif_facts
from bot.reports.jpeg import MIN_FILL, decode_scaled, eighths_for
from bot.reports.jpeg_segments import kept_scan


class RejectReason(StrEnum):
    TOO_LARGE = "too_large"  #: more bytes than PhotoLimits.max_bytes
    NOT_AN_IMAGE = "not_an_image"  #: no image signature at all (a PDF, a text file renamed .jpg)
    UNSUPPORTED_FORMAT = "unsupported_format"  #: a real image, but not JPEG/PNG/WebP/HEIF
    TOO_MANY_PIXELS = "too_many_pixels"  #: header promises more than PhotoLimits.max_pixels
    DAMAGED = "damaged"  #: an image signature, but the data does not decode


class PhotoRejectedError(Exception):
    """The upload cannot become a report photo; `reason` says why, for the resident's message."""

    def __init__(self, reason: RejectReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int = 20 * 1024 * 1024  #: Telegram bots can download at most 20 MB anyway
    max_pixels: int = 40_000_000  #: above any phone's default output; decoding costs ~3 bytes/pixel
    max_side_px: int = 2048  #: plenty for a moderator's screen, ~0.5 MB as JPEG
    thumbnail_side_px: int = 320
    jpeg_quality: int = 85


@dataclass(frozen=True)
class CleanPhoto:
    jpeg: bytes
    thumbnail_jpeg: bytes
    width_px: int
    height_px: int
    sha256: str  #: hex digest of the bytes as uploaded, so a re-sent file is recognised
    phash: str  #: 16 lowercase hex digits, perceptual hash of the upright picture
    gps: tuple[float, float] | None
    taken_at: datetime | None


class ImageFormat(StrEnum):
    """The upload formats we take, named as Pillow names them."""

    JPEG = "JPEG"
    PNG = "PNG"
    WEBP = "WEBP"
    HEIF = "HEIF"


#: HEIF brands libheif decodes (the list pillow_heif itself accepts); "avif" is a different codec.
_HEIF_BRANDS = frozenset(b"heic heix heim heis hevc hevx hevm hevs mif1 msf1".split())

#: EXIF Orientation -> the transpose that makes the picture upright (as ImageOps.exif_transpose).
_UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def process_photo(data: bytes, *, limits: PhotoLimits, now: datetime) -> CleanPhoto:
    """Check, decode, clean and hash one upload; raise PhotoRejectedError for anything unusable."""
    if len(data) > limits.max_bytes:
        raise PhotoRejectedError(RejectReason.TOO_LARGE)
    image_format = sniff_format(data)
    header = _open_header(data, image_format, limits.max_pixels)
    decoded, whole_jpeg = _decode_reduced(data, header, limits.max_side_px)
    recoloured = _to_srgb(decoded, header.info.get("icc_profile"))
    # After the decode, so a Pillow fallback reads EXIF that Pillow parsed already (PNG keeps it
    # after the pixel data) instead of opening the file again.
    facts = read_exif_facts(data, now=now, image=header)
    # libheif already applied the HEIF container's rotation; the EXIF tag inside is informative only.
    orientation = None if image_format is ImageFormat.HEIF else facts.orientation
    photo = _upright(decoded, orientation)
    thumbnail = _thumbnail(photo, limits.thumbnail_side_px)
    # The same object and no colour conversion: the stored pixels are the upload's as decoded.
    kept = kept_scan(data) if whole_jpeg and not recoloured and photo is decoded else None
    return CleanPhoto(
        jpeg=_encode_jpeg(photo, limits.jpeg_quality) if kept is None else kept,
        thumbnail_jpeg=_encode_jpeg(thumbnail, limits.jpeg_quality),
        width_px=photo.width,
        height_px=photo.height,
        sha256=hashlib.sha256(data).hexdigest(),
        phash=perceptual_hash(thumbnail),  # the thumbnail is the cheap source: see perceptual_hash
        gps=facts.gps,
        taken_at=facts.taken_at,
    )


def sniff_format(data: bytes) -> ImageFormat:
    """Name the accepted format from the magic bytes, or refuse the upload."""
    if data[:3] == b"\xff\xd8\xff":
        return ImageFormat.JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return ImageFormat.PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageFormat.WEBP
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return ImageFormat.HEIF
    if _is_other_image(data[:16]):
        raise PhotoRejectedError(RejectReason.UNSUPPORTED_FORMAT)
    raise PhotoRejectedError(RejectReason.NOT_AN_IMAGE)


def _is_other_image(prefix: bytes) -> bool:
    """Whether any Pillow plugin claims these first bytes (GIF, BMP, TIFF, AVIF, ...)."""
    # Only the plugins' signature checks run here, never a parser: a refusal needs no more.
    Image.init()
    return any(_claims(accept, prefix) for _factory, accept in list(Image.OPEN.values()))


def _claims(accept: Callable[[bytes], bool | str] | None, prefix: bytes) -> bool:
    try:
        return accept is not None and bool(accept(prefix))
    except Exception:  # a signature check tripping over a short prefix means "no"
        return False


_PLUGINS: dict[ImageFormat, type[ImageFile.ImageFile]] = {
    ImageFormat.JPEG: JpegImagePlugin.JpegImageFile,
    ImageFormat.PNG: PngImagePlugin.PngImageFile,
    ImageFormat.WEBP: WebPImagePlugin.WebPImageFile,
}


def _open_header(data: bytes, image_format: ImageFormat, max_pixels: int) -> ImageFile.ImageFile:
    """Parse the header only (no pixel decode) and refuse more than max_pixels before any decode."""
    if image_format is ImageFormat.WEBP:
        # libwebp allocates the whole canvas while opening, so its size is read from the RIFF
        # header and checked before Pillow sees the bytes.
        _check_pixels(_webp_canvas_size(data), max_pixels)
    # The plugin class is called directly rather than through Image.open, which would apply (and
    # warn about) Pillow's process-wide MAX_IMAGE_PIXELS; our own limit is the one that counts.
    opener = _heif_image_file() if image_format is ImageFormat.HEIF else _PLUGINS[image_format]
    try:
        header = opener(BytesIO(data))
    except MemoryError:
        raise
    except Image.DecompressionBombError as error:  # raised by Pillow's WebP plugin past its ceiling
        raise PhotoRejectedError(RejectReason.TOO_MANY_PIXELS) from error
    except Exception as error:  # the signature matched but the parser choked: damaged data
        raise PhotoRejectedError(RejectReason.DAMAGED) from error
    _check_pixels(header.size, max_pixels)
    return header


def _check_pixels(size: tuple[int, int] | None, max_pixels: int) -> None:
    if size is None:
        raise PhotoRejectedError(RejectReason.DAMAGED)
    width_px, height_px = size
    if width_px * height_px > max_pixels:
        raise PhotoRejectedError(RejectReason.TOO_MANY_PIXELS)


@cache
def _heif_image_file() -> type[ImageFile.ImageFile]:
    """Load pillow_heif on the first HEIF upload only (its import pulls in libheif)."""
    import pillow_heif

    pillow_heif.register_heif_opener()  # also lets exif.py's Pillow fallback read HEIF
    heif_image_file: type[ImageFile.ImageFile] = pillow_heif.HeifImageFile
    return heif_image_file


def _webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    """Canvas size from a WebP's first chunk (lossy VP8, lossless VP8L or extended VP8X)."""
    chunk = data[12:16]
    try:
        if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
            width, height = struct.unpack_from("<HH", data, 26)
            return width & 0x3FFF, height & 0x3FFF
        if chunk == b"VP8L" and data[20] == 0x2F:
            (bits,) = struct.unpack_from("<I", data, 21)
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":
            return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    except (struct.error, IndexError):
        return None
    return None


def _decode_reduced(data: bytes, header: ImageFile.ImageFile, max_side_px: int) -> tuple[Image.Image, bool]:
    """Decode once, as small as quality allows, to RGB no larger than max_side_px; and whether that is
    a JPEG's every pixel as libjpeg-turbo decoded it strictly (its compressed picture may then be kept)."""
    try:
        if header.format == ImageFormat.JPEG:
            eighths = eighths_for(header.size, max_side_px)
            decoded = decode_scaled(data, header.size, eighths)
            if decoded is not None:
                shrunk = _shrink(decoded, max_side_px)  # a no-op but for rare huge photos
                return shrunk, eighths == 8 and shrunk is decoded
            scale = _draft_scale(header.size, max_side_px)
            if scale > 1:
                width_px, height_px = header.size
                header.draft("RGB", (max(1, width_px // scale), max(1, height_px // scale)))
        header.load()  # raises on truncated data: ImageFile.LOAD_TRUNCATED_IMAGES stays False
        if header.mode in ("RGB", "L") and not header.has_transparency_data:
            return _to_rgb(_shrink(header, max_side_px)), False  # shrink first: fewer pixels to convert
        return _shrink(_to_rgb(header), max_side_px), False
    except MemoryError:
        raise
    except Exception as error:  # any decoder failure on a recognised image means damaged data
        raise PhotoRejectedError(RejectReason.DAMAGED) from error


def _draft_scale(size: tuple[int, int], max_side_px: int) -> int:
    """For Pillow's decoder (the fallback when bot.reports.jpeg declines a file): the strongest of its
    DCT reductions (8, 4, 2 or 1) that keeps jpeg.MIN_FILL of the target side; the rest is resampled."""
    longest_px = max(size)
    floor_px = min(longest_px, max_side_px) * MIN_FILL
    for scale in (8, 4, 2):
        if longest_px / scale >= floor_px:
            return scale
    return 1


def _shrink(im: Image.Image, side_px: int) -> Image.Image:
    """Fit the longest side into side_px; never enlarges."""
    width_px, height_px = im.size
    longest_px = max(width_px, height_px)
    if longest_px <= side_px:
        return im
    size = (max(1, round(width_px * side_px / longest_px)), max(1, round(height_px * side_px / longest_px)))
    # BOX when shrinking is area averaging (what OpenCV calls INTER_AREA): no aliasing, and after
    # the JPEG draft only a <1.5x step is left. reducing_gap=1 does any whole factor with the
    # cheaper reduce() first. Bilinear costs 1.3x, LANCZOS 3x, on our hosts for no visible gain.
    return im.resize(size, Image.Resampling.BOX, reducing_gap=1.0)


def _thumbnail(im: Image.Image, side_px: int) -> Image.Image:
    """Box-average by the smallest whole factor that fits side_px: longest side in (side_px/2, side_px].

    A whole-factor box reduce is a true average (no aliasing) at a fraction of a resample's cost;
    photos of 1000 px and more still get thumbnails of at least 3/4 of side_px.
    """
    factor = -(-max(im.size) // side_px)  # ceiling division
    return im.reduce(factor) if factor > 1 else im


def _to_rgb(im: Image.Image) -> Image.Image:
    if im.mode == "RGB":
        return im
    if im.has_transparency_data:
        # Transparent areas become white rather than whatever colour hides under alpha 0.
        rgba = im.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return im.convert("RGB")


@cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes | None) -> bool:
    """Convert the pixels to sRGB in place before the profile is dropped, and say whether they changed:
    a wide-gamut (Display P3, Adobe RGB) photo would otherwise look washed out. sRGB-tagged and untagged
    photos are left as they are.

    In place because `im` is the pipeline's own fresh decode: a new image would cost an allocation,
    and Pillow copies the padding byte of every RGB pixel into it one by one (its alpha polyfill).
    The transform itself runs at LittleCMS's speed, ~15 ns/px here, already its optimised 8-bit
    matrix-shaper path (NOOPTIMIZE is 12x slower; intents, flags, RGB/RGBA/RGBX layouts and forced
    CLUTs are no faster: even sRGB to sRGB costs 11 ns/px in its per-pixel engine)."""
    if not icc or im.mode != "RGB":
        return False
    try:
        transform = _to_srgb_transform(icc)
        if transform is None:
            return False
        transform.apply_in_place(im)
        return True
    except (ImageCms.PyCMSError, OSError, ValueError):
        return False  # an unreadable profile: the pixels as they are beat refusing the photo


@lru_cache(maxsize=32)
def _to_srgb_transform(icc: bytes) -> ImageCms.ImageCmsTransform | None:
    """The transform from `icc` to sRGB, None for an sRGB profile. Kept: one phone model sends one
    profile, and building a transform costs about as much as applying it to a whole photo. NOCACHE
    because LittleCMS's one-pixel cache is not safe when two uploads use the transform at once."""
    source = ImageCms.ImageCmsProfile(BytesIO(icc))
    if "srgb" in ImageCms.getProfileDescription(source).lower():
        return None
    return ImageCms.buildTransform(source, _srgb(), "RGB", "RGB", flags=ImageCms.Flags.NOCACHE)


def _upright(im: Image.Image, orientation: int | None) -> Image.Image:
    """Apply the EXIF orientation already read by read_exif_facts (EXIF is parsed once)."""
    method = _UPRIGHT.get(orientation or 1)
    return im if method is None else im.transpose(method)


def _encode_jpeg(im: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    # Pillow writes no EXIF/XMP/ICC unless asked, but it does copy a JPEG COM comment from
    # im.info by default; every metadata channel is switched off explicitly so that stays true.
    im.save(out, "JPEG", quality=quality, exif=b"", comment=b"", icc_profile=None, xmp=None)
    return out.getvalue()


# --- perceptual hash -------------------------------------------------------------------------

_DCT_SIDE = 32
_DCT_MATRIX = np.cos(
    np.pi * np.arange(_DCT_SIDE)[:, None] * (2 * np.arange(_DCT_SIDE)[None, :] + 1) / (2 * _DCT_SIDE)
)  # DCT-II without scaling: the median threshold makes the scale irrelevant


def perceptual_hash(im: Image.Image) -> str:
    """64-bit DCT pHash (the deps.md recipe, which matches imagehash.phash) as 16 lowercase hex digits.

    Hashed on the upright picture, so the same scene stored with Orientation 1, 6 or 8 gets one
    hash and near-duplicate search treats them as the same photo. (The shared MANIFEST's `phash`
    column hashes the raw stored pixels instead, so it differs for rotated files only.) The input
    may be any reduction of the photo, such as the thumbnail: the hash only sees a 32x32 grey
    version, and on the reference photos the thumbnail's hash is within 2 bits of the full image's.
    """
    grey = im.convert("L").resize((_DCT_SIDE, _DCT_SIDE), Image.Resampling.LANCZOS)
    pixels = np.asarray(grey, dtype=np.float64)
    # Rounding removes float noise (~1e-13) so a flat image hashes to exactly 8000000000000000.
    low = np.round((_DCT_MATRIX @ pixels @ _DCT_MATRIX.T)[:8, :8], 6)
    bits = (low > np.median(low)).flatten()
    return np.packbits(bits).tobytes().hex()


def phash_distance(a: str, b: str) -> int:
    """Hamming distance between two hex pHashes: 0 is identical, <= 8 is a near-duplicate."""
    return (int(a, 16) ^ int(b, 16)).bit_count()

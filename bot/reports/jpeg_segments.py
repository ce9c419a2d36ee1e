"""A JPEG upload's own compressed picture, kept as it came with every metadata segment taken out.

Why: an upright sRGB baseline or progressive JPEG that already fits the stored size needs no pixel
change, so decoding it and encoding it again only loses quality (a second generation of JPEG loss)
and costs an encode (about 0.6x the decode on our hosts). Telegram delivers nearly every photo like
that (upright, sRGB, baseline, at most 1280 or 2560 px), so in production this is the common path.

What is kept: SOI, the frame (SOF0/1/2: 8-bit Huffman, 3 components), the tables (DQT, DHT, DRI),
every scan (SOS + its entropy-coded data, restart markers and the tables between progressive scans),
EOI. What goes: every APPn (EXIF with its GPS and thumbnail, XMP, ICC, IPTC, maker data, MPF), COM,
and anything after EOI. The upload's own JFIF and Adobe segments go too (a JFIF may carry a thumbnail
of its own); a standard JFIF header without a thumbnail takes their place, which is only right when
the channels are YCbCr, as JFIF declares: a file whose Adobe segment or component ids say RGB is
refused. Anything else unexpected is refused too: `kept_scan` returns None and the caller re-encodes.

The caller vouches for the pixels (libjpeg-turbo decoded the upload strictly); this module only
checks the segment structure, finds scan ends with a regex (never a Python byte loop) and bounds
the weight of what is kept.
"""

from __future__ import annotations

import re

_SOI = b"\xff\xd8"
_EOI_MARKER = 0xD9
_SOS_MARKER = 0xDA
_DQT_MARKER = 0xDB
_TABLE_MARKERS = frozenset({0xC4, 0xDD})  #: DHT, DRI: checked by the decoder, kept as they are
_FRAME_MARKERS = frozenset({0xC0, 0xC1, 0xC2})  #: SOF0/1/2: Huffman, baseline/extended/progressive
_APP0, _APP14, _COM = 0xE0, 0xEE, 0xFE
#: JFIF 1.01, no units, 1:1 pixel aspect, no thumbnail: what Pillow writes in a re-encoded photo.
STANDARD_JFIF = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
#: Component ids 'R', 'G', 'B': without JFIF or Adobe segments, libjpeg reads such channels as RGB.
_RGB_COMPONENT_IDS = b"RGB"
#: The end of entropy-coded data: 0xFF followed by anything but a stuffed zero, a restart marker or
#: another 0xFF (fill bytes before a marker stay with the scan, where decoders skip them).
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")

#: Weight bound of a kept file, so storage stays bounded like a re-encode's. Measured on the reference
#: phone photos as sent and resaved at 800-2048 px: q95 4:2:0 (what cameras and Telegram send) weighs
#: 0.24-0.53 bytes/px, q100 0.65-0.98. 0.55 keeps the first and re-encodes the second (to q85, about
#: 0.15 bytes/px), so a kept photo weighs at most ~3.5x what a re-encode would store.
MAX_KEPT_BYTES_PER_PX = 0.55
#: On top of it: the tables (DQT, DHT, SOF, SOS headers, about 0.6 KB, more in progressive files), and
#: room for small camera pictures, which carry more detail per pixel but weigh little whatever they do.
KEPT_ALLOWANCE_BYTES = 32 * 1024


def kept_scan(data: bytes) -> bytes | None:
    """`data`'s SOI, tables, frame and scans behind a standard JFIF header, nothing else; None when
    the file is not one this module vouches for or is heavier than a stored photo should be."""
    walked = _walk(data)
    if walked is None:
        return None
    kept, pixels = walked
    if len(kept) > KEPT_ALLOWANCE_BYTES + MAX_KEPT_BYTES_PER_PX * pixels:
        return None
    return kept


class _Walk:
    """What the walk has seen so far: the kept parts and the facts later segments are judged by."""

    def __init__(self) -> None:
        self.parts: list[bytes] = [_SOI, STANDARD_JFIF]
        self.pixels = 0  #: from the frame header; 0 until it is seen
        self.component_ids = b""
        self.scans = 0
        self.jfif = False
        self.adobe_transform: int | None = None

    def ycbcr(self) -> bool:
        """Whether libjpeg read the upload's channels as YCbCr (what the standard JFIF header says)."""
        if self.jfif:
            return True  # libjpeg lets JFIF win over an Adobe segment
        if self.adobe_transform is not None:
            return self.adobe_transform == 1
        return self.component_ids != _RGB_COMPONENT_IDS


def _walk(data: bytes) -> tuple[bytes, int] | None:
    if not data.startswith(_SOI):
        return None
    walk, offset = _Walk(), len(_SOI)
    while offset + 2 <= len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        if marker == _EOI_MARKER:
            if walk.scans == 0 or not walk.ycbcr():
                return None
            return b"".join([*walk.parts, data[offset : offset + 2]]), walk.pixels
        end = _segment_end(data, offset)
        if end is None or not _take(walk, marker, data, offset, end):
            return None
        offset = end
        if marker == _SOS_MARKER:  # the entropy-coded data runs to the next real marker
            scan_end = _SCAN_END.search(data, offset)
            if scan_end is None:
                return None
            walk.parts.append(data[offset : scan_end.start()])
            offset = scan_end.start()
    return None  # a byte where a marker should be, or no EOI


def _segment_end(data: bytes, offset: int) -> int | None:
    """Where the segment at `offset` ends, from its length field; None past the end of the data."""
    if offset + 4 > len(data):
        return None
    length = int.from_bytes(data[offset + 2 : offset + 4], "big")
    end = offset + 2 + length
    return end if length >= 2 and end <= len(data) else None


def _take(walk: _Walk, marker: int, data: bytes, offset: int, end: int) -> bool:
    """Keep, drop or refuse one segment; False refuses the whole file."""
    body = data[offset + 4 : end]
    if 0xE0 <= marker <= 0xEF or marker == _COM:
        _note_reading_instructions(walk, marker, body)
        return True  # dropped: metadata
    if marker in _TABLE_MARKERS or (marker == _DQT_MARKER and _valid_quantisation(body)):
        pass
    elif marker in _FRAME_MARKERS and walk.pixels == 0 and _valid_frame(body):
        walk.pixels = int.from_bytes(body[1:3], "big") * int.from_bytes(body[3:5], "big")
        walk.component_ids = body[6::3]
    elif marker == _SOS_MARKER and walk.pixels > 0 and _valid_scan_header(body):
        walk.scans += 1
    else:
        return False
    walk.parts.append(data[offset:end])
    return True


def _note_reading_instructions(walk: _Walk, marker: int, body: bytes) -> None:
    """Remember what a JFIF or Adobe segment said about the channels before dropping it."""
    if walk.scans:
        return  # libjpeg has decided how to read the channels by the first scan
    if marker == _APP0 and body.startswith(b"JFIF\x00"):
        walk.jfif = True
    elif marker == _APP14 and body.startswith(b"Adobe") and len(body) >= 12:
        walk.adobe_transform = body[11]


def _valid_frame(body: bytes) -> bool:
    """8 bits, a non-empty picture, 3 components, and exactly their 3 bytes each."""
    if len(body) < 6 or body[0] != 8 or body[5] != 3:
        return False
    height_px, width_px = int.from_bytes(body[1:3], "big"), int.from_bytes(body[3:5], "big")
    return height_px > 0 and width_px > 0 and len(body) == 6 + 3 * body[5]


def _valid_quantisation(body: bytes) -> bool:
    """One or more whole tables of 64 entries, 8 or 16 bits each."""
    offset = 0
    while offset < len(body):
        entry_bytes = 2 if body[offset] >> 4 else 1
        offset += 1 + 64 * entry_bytes
    return offset == len(body) and len(body) > 0


def _valid_scan_header(body: bytes) -> bool:
    """1 to 4 components, 2 bytes each, then the 3 spectral-selection/approximation bytes."""
    return len(body) >= 1 and 1 <= body[0] <= 4 and len(body) == 1 + 2 * body[0] + 3

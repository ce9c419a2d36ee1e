"""The 40 shared reference photos (../shared/photos) and their MANIFEST.csv, typed for tests.

The manifest is the truth for each file's GPS, capture time and orientation, and says which files
no decoder can read. Its `phash` (in the notes column) hashes the raw stored pixels, before any
EXIF orientation is applied.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Next to the main checkout, or next to the worktrees' directory (a checkout under wt/).
PHOTOS_DIR = next(
    (path for base in (REPO_ROOT.parent, REPO_ROOT.parents[1]) if (path := base / "shared" / "photos").is_dir()),
    REPO_ROOT.parent / "shared" / "photos",
)
MANIFEST_PATH = PHOTOS_DIR / "MANIFEST.csv"

_NOTE_FIELD_RE = re.compile(r"\b(sha256|phash)=([0-9a-f]*)")


@dataclass(frozen=True)
class ManifestRow:
    file: str
    width_px: int | None
    height_px: int | None
    has_gps: bool  #: GPS tags are present, usable or not (0,0 rows have them too)
    lat: float | None
    lon: float | None
    datetime_original: str  #: as written in the file, "" when absent
    orientation: int | None
    sha256_prefix: str  #: first 16 hex digits of the file's SHA-256
    raw_phash: str | None  #: pHash of the stored pixels, not transposed; None when undecodable
    notes: str

    @property
    def path(self) -> Path:
        return PHOTOS_DIR / self.file

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()

    @property
    def usable_gps(self) -> tuple[float, float] | None:
        """The position a bot should propose: None for no GPS and for 0,0 (null island)."""
        if not self.has_gps or self.lat is None or self.lon is None or (self.lat == 0 and self.lon == 0):
            return None
        return self.lat, self.lon

    @property
    def decodable(self) -> bool:
        """False for the files Pillow cannot open or decode (truncated data, EXIF-only files)."""
        return "pillow-open-fail" not in self.notes and "pillow-decode-fail" not in self.notes


@cache
def manifest_rows() -> tuple[ManifestRow, ...]:
    """Every manifest row, in file order."""
    with MANIFEST_PATH.open(newline="", encoding="utf-8") as manifest:
        return tuple(_row(raw) for raw in csv.DictReader(manifest))


def manifest_row(file: str) -> ManifestRow:
    """The row for one file name, e.g. "orientation_6.jpg"."""
    for row in manifest_rows():
        if row.file == file:
            return row
    raise KeyError(file)


def _row(raw: dict[str, str]) -> ManifestRow:
    notes = raw["notes"]
    fields = dict(_NOTE_FIELD_RE.findall(notes))
    return ManifestRow(
        file=raw["file"],
        width_px=_int_or_none(raw["width"]),
        height_px=_int_or_none(raw["height"]),
        has_gps=raw["has_gps"] == "yes",
        lat=float(raw["lat"]) if raw["lat"] else None,
        lon=float(raw["lon"]) if raw["lon"] else None,
        datetime_original=raw["datetime_original"],
        orientation=_int_or_none(raw["orientation"]),
        sha256_prefix=fields.get("sha256", ""),
        raw_phash=fields.get("phash") or None,
        notes=notes,
    )


def _int_or_none(text: str) -> int | None:
    return int(text) if text else None

"""Every shared reference photo, sent as a file, goes through the real intake over the fake Bot API."""

from __future__ import annotations

from io import BytesIO

import exifread
import numpy as np
import pytest
from PIL import Image

from bot.reports.models import Draft, Photo
from bot.runtime import WebRuntime
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.photos import ManifestRow, manifest_row, manifest_rows

#: Upright size of the orientation series: the scene is landscape whatever the stored pixels say.
UPRIGHT_SIZE = manifest_row("orientation_1.jpg").width_px, manifest_row("orientation_1.jpg").height_px


async def stored_jpeg(runtime: WebRuntime, photo: Photo) -> bytes:
    return await runtime.services.intake.storage.get(photo.storage_key)


def assert_no_metadata(jpeg: bytes) -> None:
    assert exifread.process_file(BytesIO(jpeg), details=False) == {}
    with Image.open(BytesIO(jpeg)) as image:
        assert len(image.getexif()) == 0
        assert not {"exif", "comment", "xmp", "XML:com.adobe.xmp"} & set(image.info)
        assert image.format == "JPEG"


@pytest.mark.parametrize("row", manifest_rows(), ids=lambda row: row.file)
async def test_photo_sent_as_file(row: ManifestRow, product: WebRuntime, fake_api: FakeBotAPI) -> None:
    """Usable GPS is proposed exactly; no GPS asks for a location; undecodable files get a clear error."""
    user = FakeUser(fake_api, 5000, language_code="en")
    [reply] = await user.document(row.read_bytes(), row.file)
    if not row.decodable:  # refused: no draft is started for it, nothing stored
        assert "damaged or incomplete" in reply["text"]
        assert not await Draft.exists() and not await Photo.exists()
        return
    draft = await Draft.get(resident_id=5000)
    assert "received" in reply["text"]
    [photo] = await Photo.filter(draft_id=draft.id)
    assert_no_metadata(await stored_jpeg(product, photo))
    [ask] = await user.press(reply, "ph:done")
    draft = await Draft.get(resident_id=5000)
    if row.usable_gps is None:
        assert draft.step == "location" and draft.proposed_lat is None
        assert ask["reply_markup"]["keyboard"][0][0]["request_location"] is True
    else:
        assert draft.step == "exif_location"
        assert draft.proposed_lat == pytest.approx(row.usable_gps[0], abs=1e-5)
        assert draft.proposed_lon == pytest.approx(row.usable_gps[1], abs=1e-5)
        assert f"{draft.proposed_lat:.6f}, {draft.proposed_lon:.6f}" in ask["text"]


@pytest.mark.parametrize("name", ["orientation_1.jpg", "orientation_6.jpg", "orientation_8.jpg"])
async def test_stored_photo_is_upright(name: str, product: WebRuntime, fake_api: FakeBotAPI) -> None:
    """EXIF orientation is applied before the tag is dropped, so the stored photo stands upright."""
    user = FakeUser(fake_api, 5001)
    await user.document(manifest_row(name).read_bytes(), name)
    [photo] = await Photo.all()
    with Image.open(BytesIO(await stored_jpeg(product, photo))) as image:
        assert image.size == UPRIGHT_SIZE
        with Image.open(manifest_row("orientation_1.jpg").path) as reference:
            expected = np.asarray(reference.convert("L").resize((60, 45)), dtype=np.int16)
        actual = np.asarray(image.convert("L").resize((60, 45)), dtype=np.int16)
        assert np.abs(expected - actual).mean() < 20  # mean grey-level difference: same picture, same way up

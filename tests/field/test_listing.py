"""Acceptance 4: listed hazards (挂牌督办) on the board and the public status page; closing off (消号) is refused
without an after photo and when the confirmer is the crew, and done when the reporter or a verifier confirms."""

from __future__ import annotations

import aiohttp_jinja2

from bot.admin.accounts import Role
from bot.i18n import Translator
from bot.reports.models import Report
from bot.reports.statuses import Status
from bot.runtime import WebRuntime
from field.models import Listing, ListingProgress
from field.views.panels import listed_public
from tests.admin_client import AdminClient, make_staff
from tests.conftest import FrozenClock
from tests.fake_botapi import FakeBotAPI
from tests.fake_user import FakeUser
from tests.field.conftest import (
    CREW_TG,
    GRID_TG,
    REPORTER,
    Worker,
    alerted,
    fixed_by_crew,
    grid_member,
    question_to,
)


async def as_official(client: AdminClient) -> None:
    await make_staff("chen", Role.OFFICIAL, language="en", display_name="Chen")
    await client.login("chen")


async def list_it(client: AdminClient, report: Report) -> Listing:
    await client.get(f"/admin/reports/{report.id}")
    _, page = await client.post(
        f"/admin/field/reports/{report.id}/list", {"deadline": "2026-12-20", "note": "Whole block"}
    )
    assert f"Report #{report.id} is listed for supervision until 2026-12-20." in page
    return await Listing.get(report_id=report.id)


async def close_off(client: AdminClient, listing: Listing) -> str:
    await client.get("/admin/field/listed")
    _, page = await client.post(f"/admin/field/listed/{listing.id}/close-off")
    return page


async def public_page(product: WebRuntime) -> str:
    """The status page's "status.page" panel as the open-data page renders it (in English)."""
    context = await listed_public(product.services, {"request": None})
    if context is None:
        return ""
    template = aiohttp_jinja2.get_env(product.app).get_template("field/panels/listed_public.html")
    return template.render(**context, _=Translator("en"), locale="en")


async def test_a_listed_hazard_is_on_the_board_and_public_at_cell_precision(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await as_official(client)
    listing = await list_it(client, report)
    _, page = await client.post(
        f"/admin/field/listed/{listing.id}/progress", {"note": "Chargers removed from 3 of 5 floors"}
    )
    assert "Progress note saved for the week of 2026-11-23." in page
    _, board = await client.get("/admin/field/listed")
    assert f'data-report="{report.id}"' in board and "Huangpu Fire" in board and "2026-12-20" in board
    public = await public_page(product)
    assert (
        "Huangpu grid 04-02" in public and "Huangpu Fire" in public and "Chargers removed from 3 of 5 floors" in public
    )
    assert "31.2304" not in public and "R9001" not in public and "Wang" not in public  # cell precision, no one named
    assert await ListingProgress.filter(listing_id=listing.id).count() == 1


async def test_closing_off_is_refused_without_an_after_photo(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    product.settings.after_photo_categories = ()  # the crew may fix it without a photo...
    report = await fixed_by_crew(product.settings, fake_api, run_worker, after_photo=False)
    await as_official(client)
    listing = await list_it(client, report)
    await FakeUser(fake_api, REPORTER).press(question_to(fake_api, REPORTER), f"fv:y:{report.id}")
    assert (await Report.get(id=report.id)).status == Status.VERIFIED_FIXED
    page = await close_off(client, listing)  # ...but a listed hazard is not closed off without one
    assert f"Report #{report.id} cannot be closed off: there is no after photo of the fix." in page
    assert (await Listing.get(id=listing.id)).closed_at is None


async def test_closing_off_is_refused_when_the_confirmer_is_the_crew(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient, clock: FrozenClock
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await as_official(client)
    listing = await list_it(client, report)
    crew = FakeUser(fake_api, CREW_TG)
    answer = await crew.press_forged(question_to(fake_api, REPORTER), f"fv:y:{report.id}")
    assert alerted(answer) and answer["text"] == f"The agency's own crew cannot confirm its fix of report #{report.id}."
    clock.advance(days=4)  # the window passes: a listed hazard still waits for a person's word
    await product.services.redis.enqueue_job("field.lapse_verifications")
    await run_worker()
    assert (await Report.get(id=report.id)).status == Status.FIXED
    await client.login("chen")  # four idle days ended the official's session
    page = await close_off(client, listing)
    assert f"Report #{report.id} cannot be closed off: its fix is not verified." in page
    assert (await Listing.get(id=listing.id)).closed_at is None


async def test_the_reporters_confirmation_closes_it_off(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await as_official(client)
    listing = await list_it(client, report)
    await FakeUser(fake_api, REPORTER).press(question_to(fake_api, REPORTER), f"fv:y:{report.id}")
    page = await close_off(client, listing)
    assert f"Report #{report.id} is closed off." in page
    closed = await Listing.get(id=listing.id)
    assert closed.closed_at is not None and closed.closed_by_id is not None
    assert "closed off" in await public_page(product)
    assert f"Report #{report.id} is closed off already." in await close_off(client, listing)


async def test_a_grid_verifiers_confirmation_closes_it_off(
    product: WebRuntime, fake_api: FakeBotAPI, run_worker: Worker, client: AdminClient
) -> None:
    """E-bike fixes are checked on site by grid staff of the place: they get the pin and both photos."""
    await grid_member("liu", GRID_TG, areas=["huangpu-0402"])
    report = await fixed_by_crew(product.settings, fake_api, run_worker)
    await as_official(client)
    listing = await list_it(client, report)
    [pin] = fake_api.sent(GRID_TG, "sendLocation")
    assert float(pin["latitude"]) == report.lat
    question = question_to(fake_api, GRID_TG)
    assert "Please check on site" in question["caption"] and "Huangpu grid 04-02" in question["caption"]
    await FakeUser(fake_api, GRID_TG).press(question, f"fv:y:{report.id}")
    assert f"Report #{report.id} is closed off." in await close_off(client, listing)

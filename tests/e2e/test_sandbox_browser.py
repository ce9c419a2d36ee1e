"""A person files a whole report through /sandbox in headless Chromium, against `python -m bot run`.

The product runs as `make run` runs it: a subprocess with no TELEGRAM_BOT_TOKEN (sandbox), no
REDIS_URL (embedded Redis) and its own SQLite file; Playwright drives Debian's Chromium.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Geolocation, Page, expect, sync_playwright

from tests.bot.helpers import jpeg_bytes
from tests.e2e.running import RunningProduct
from tests.e2e.test_admin_browser import csp_refusals
from tests.photos import PHOTOS_DIR

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SHANGHAI: Geolocation = {"latitude": 31.2304, "longitude": 121.4737}


@pytest.fixture
def product_process(tmp_path: Path, handed_over_template: None) -> Iterator[RunningProduct]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (make browser-deps)")
    product = RunningProduct(tmp_path)
    try:
        product.wait_until_up()
        yield product
    finally:
        product.kill()


def a_photo(tmp_path: Path) -> Path:
    """A real phone photo from the shared set if it is there, else a generated JPEG."""
    shared = PHOTOS_DIR / "nikon_p6000_gps_a.jpg"
    if shared.exists():
        return shared
    generated = tmp_path / "hazard.jpg"
    generated.write_bytes(jpeg_bytes())
    return generated


def bot_says(page: Page, text: str | re.Pattern[str]) -> None:
    expect(page.locator(".row.from-bot .text").filter(has_text=text).last).to_be_visible()


def file_report_in_the_browser(page: Page, photo: Path, description: str) -> int:
    """Every step as a person does it on the page; returns the report number the bot announced."""
    page.locator("#text").fill("/start")
    page.locator("#text").press("Enter")
    bot_says(page, "Privacy")
    page.locator("#photo-input").set_input_files(photo)
    bot_says(page, "Photo 1 of 3 received")
    bot_says(page, "Where is the hazard?")
    page.locator("#reply-keyboard").get_by_role("button", name="Send my location").click()  # browser geolocation
    bot_says(page, "Is anyone in danger right now?")
    page.get_by_role("button", name="No", exact=True).click()
    bot_says(page, "What kind of hazard is it?")
    page.get_by_role("button", name="Blocked fire exit or escape route").click()
    bot_says(page, "Add a short description")
    page.locator("#text").fill(description)
    page.locator("#send").click()
    bot_says(page, "Please check your report")
    page.get_by_role("button", name="Submit", exact=True).click()
    submitted = page.locator(".row.from-bot .text").filter(has_text=re.compile(r"report #\d+ has been submitted"))
    expect(submitted).to_be_visible()
    match = re.search(r"#(\d+)", submitted.inner_text())
    assert match is not None
    return int(match.group(1))


def share_phone_for_a_claim(page: Page) -> None:
    """/claim, then the reply keyboard's contact button: the page asks for a number and shares it."""
    page.once("dialog", lambda dialog: dialog.accept("+86 138 0013 8000"))
    page.locator("#text").fill("/claim")
    page.locator("#text").press("Enter")
    bot_says(page, "share your phone number")
    page.locator("#reply-keyboard .reply-button").first.click()
    expect(page.locator(".row .contact").filter(has_text="+86 138 0013 8000")).to_be_visible()
    bot_says(page, "type your real name")


def test_a_person_files_a_report_through_the_sandbox_page(product_process: RunningProduct, tmp_path: Path) -> None:
    """/start, photo, browser location, no danger, category, description, Submit: report stored;
    then /claim shares a phone number through the contact button."""
    description = "Bikes and boxes block the stairwell fire exit"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                geolocation=SHANGHAI,
                permissions=["geolocation"],
                locale="en-US",
                viewport={"width": 900, "height": 1700},
            )
            page = context.new_page()
            refused = csp_refusals(page)
            page.set_default_timeout(10_000)
            page.goto(f"{product_process.base_url}/sandbox?lang=en&user=424242")
            report_id = file_report_in_the_browser(page, a_photo(tmp_path), description)
            share_phone_for_a_claim(page)
            page.screenshot(path=str(tmp_path / "sandbox.png"), full_page=True)
        finally:
            browser.close()
    code, left_running = product_process.stop()
    assert code == 0, product_process.log_path.read_text()
    assert left_running == []  # the embedded redis-server stopped with the product
    assert refused == [], refused
    with sqlite3.connect(product_process.var_dir / "safecity.sqlite3") as db:
        row = db.execute(
            "SELECT reporter_id, category, description, lat, lon FROM report WHERE id = ?", (report_id,)
        ).fetchone()
    assert row == (424242, "fire_exit", description, SHANGHAI["latitude"], SHANGHAI["longitude"])


def type_and_send(page: Page, text: str) -> None:
    page.locator("#text").fill(text)
    page.locator("#text").press("Enter")


def test_the_chat_follows_the_newest_message_and_the_person_has_a_name(
    product_process: RunningProduct, tmp_path: Path
) -> None:
    """On a short screen, after long answers and a photo, the newest message's buttons are in view without
    scrolling; the name typed in the header is the one the bot greets and the database keeps."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(locale="en-US", viewport={"width": 420, "height": 640})
            refused = csp_refusals(page)
            page.set_default_timeout(10_000)
            page.goto(f"{product_process.base_url}/sandbox?lang=en&user=515151")
            expect(page.locator("#first-name")).to_have_value("Tester 515151")
            page.locator("#first-name").fill("Mei")
            page.locator("#first-name").press("Tab")
            type_and_send(page, "/start")
            bot_says(page, "Hello Mei!")
            for _ in range(3):
                type_and_send(page, "/help")
            expect(page.locator(".row.from-bot")).to_have_count(4)
            page.locator("#photo-input").set_input_files(a_photo(tmp_path))
            bot_says(page, "Photo 1 of 3 received")
            type_and_send(page, "/language")
            expect(page.get_by_role("button", name="English", exact=True)).to_be_in_viewport()
            assert page.evaluate("document.scrollingElement.scrollHeight <= window.innerHeight + 1")
            page.reload()  # the name stays with the person in this browser
            expect(page.locator("#first-name")).to_have_value("Mei")
            expect(page.get_by_role("button", name="English", exact=True)).to_be_in_viewport()
        finally:
            browser.close()
    assert refused == [], refused
    with sqlite3.connect(product_process.var_dir / "safecity.sqlite3") as db:
        assert db.execute("SELECT first_name FROM resident WHERE id = 515151").fetchone() == ("Mei",)

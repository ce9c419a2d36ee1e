"""Every resident-facing and admin-side string of the broadcasts feature (translated in broadcasts.po)."""

from __future__ import annotations

from enum import StrEnum

from bot.i18n import N_
from broadcasts.models import BroadcastStatus, DeliveryState
from broadcasts.targeting import TargetKind


class Topic(StrEnum):
    """Safety topics residents can follow; officials target one of them."""

    FIRE = "fire"
    EBIKE = "ebike"
    WATER = "water"
    TRAFFIC = "traffic"
    GAS = "gas"
    CAMPAIGNS = "campaigns"


TOPIC_LABELS = {
    Topic.FIRE: N_("Fire safety"),
    Topic.EBIKE: N_("E-bike safety"),
    Topic.WATER: N_("Water safety"),
    Topic.TRAFFIC: N_("Traffic safety"),
    Topic.GAS: N_("Gas safety"),
    Topic.CAMPAIGNS: N_("Reward campaigns"),
}

# ---- residents ---------------------------------------------------------------------------------
SUBSCRIBE_INTRO = N_(
    'Choose what safety news you want.\n\nTo follow a place, tap "My area" or a distance and share a location. '
    "Tap a topic to follow it (✓) or stop following it."
)
BROADCASTS_BACK_ON = N_("Broadcasts are on again.")
BUTTON_MY_AREA = N_("📍 My area")
BUTTON_RADIUS = N_("📍 Within %(km)s km")
BUTTON_DONE = N_("Done")
BUTTON_SEND_LOCATION = N_("Send my location")
ASK_LOCATION = N_('Please share the location to follow with the button below (or type it as "lat, lon").')
NOT_A_LOCATION = N_('That is not a location. Please tap the button below to share one, or type "lat, lon".')
OUTSIDE_AREAS = N_("That place is outside the areas we cover. Please share another location.")
BAD_POSITION = N_("That position cannot be used. Please share another location.")
SUBSCRIBED_AREA = N_("You now follow %(area)s.")
SUBSCRIBED_RADIUS = N_("You now follow safety news within %(km)s km of this place.")
SUMMARY = N_("Your subscriptions:\nAreas: %(areas)s\nNearby: %(nearby)s\nTopics: %(topics)s")
NEARBY = N_("within %(km)s km of your place")
NONE = N_("none")
SAVED = N_("Saved. /unsubscribe to change this, /stop to get no broadcasts at all.")
UNSUBSCRIBE_PROMPT = N_("Tap what you no longer want to follow:")
BUTTON_UNSUBSCRIBE_ALL = N_("All of the above")
BUTTON_NEARBY = N_("Nearby (%(km)s km)")
UNSUBSCRIBED = N_("Done, you no longer follow that.")
NOTHING_TO_UNSUBSCRIBE = N_("You follow no area or topic. Send /subscribe to choose some.")
STOPPED = N_(
    "You will get no more broadcasts. Updates on your own reports still come. "
    "Send /subscribe to turn broadcasts back on."
)
STALE_BUTTON = N_("That button is no longer active. Send /subscribe to start again.")
REPORT_BUTTON = N_("📷 Report a hazard")
SELF_CHECK_THANKS = N_('Thank you! Noted: "%(answer)s". Stay safe.')
SELF_CHECK_ALREADY = N_("You already answered this month's self-check. Thank you!")
SELF_CHECK_CLOSED = N_("This self-check is closed.")

# ---- admin: validation -------------------------------------------------------------------------
NEED_TITLE = N_("Give the broadcast a title.")
NEED_DEFAULT_TEXT = N_("Write the text at least in the default language (%(locale)s).")
TEXT_TOO_LONG = N_("The %(locale)s text is longer than %(max)s characters.")
CAPTION_TOO_LONG = N_("With a photo the %(locale)s text is a caption and must fit in %(max)s characters.")
BAD_PHOTO = N_("The photo cannot be used: it must be a JPEG, PNG, WebP or HEIC image of at most 20 MB.")
BAD_LINK = N_("A link button needs a label and an address starting with https:// or http://.")
NEED_AREAS = N_("Choose at least one area.")
NEED_POINT = N_("Give a point (latitude, longitude) inside the service area and a radius in metres (1 to 50000).")
NEED_DAYS = N_("Give the number of days (1 to 365).")
NEED_TOPIC = N_("Choose a topic.")
BAD_CAMPAIGN = N_("The campaign id must be a whole number.")
BAD_SEND_AT = N_("Give a date and time to send at, in the future.")
ONLY_DRAFTS = N_("Only a draft can be changed.")
NO_TELEGRAM_ACCOUNT = N_("Your staff account has no Telegram user id, so there is nowhere to send a preview.")
PREVIEW_QUEUED = N_("The preview is on its way to your Telegram.")
NEED_THEME_TEXT = N_("Write the title and the message in every language.")
NEED_ONE_CHECK = N_("Give at least one self-check answer.")
BAD_CHECK_KEY = N_("The key is up to 32 letters, digits or underscores, e.g. charged_outside.")
NEED_CHECK_LABELS = N_("Give the answer in every language.")
DUPLICATE_CHECK_KEY = N_("Another answer has this key already.")

TARGET_LABELS = {
    TargetKind.EVERYONE: N_("Everyone"),
    TargetKind.AREAS: N_("Residents subscribed to areas"),
    TargetKind.RADIUS: N_("Residents near a point"),
    TargetKind.ACTIVE_REPORTERS: N_("Reporters active recently"),
    TargetKind.TOPIC: N_("Residents following a topic"),
    TargetKind.GRID: N_("Residents subscribed in a grid area"),
}
STATUS_LABELS = {
    BroadcastStatus.DRAFT: N_("draft"),
    BroadcastStatus.SCHEDULED: N_("scheduled"),
    BroadcastStatus.RUNNING: N_("sending"),
    BroadcastStatus.PAUSED: N_("paused"),
    BroadcastStatus.CANCELLED: N_("cancelled"),
    BroadcastStatus.DONE: N_("done"),
}
STATE_LABELS = {
    DeliveryState.PENDING: N_("pending"),
    DeliveryState.SENDING: N_("in flight"),
    DeliveryState.SENT: N_("sent"),
    DeliveryState.BLOCKED: N_("blocked the bot"),
    DeliveryState.FAILED: N_("failed"),
}

# ---- the education day ---------------------------------------------------------------------------
EDU_DAY_FOOTER = N_('Safety self-check: tap the answer that is true for you. Seen a hazard? Tap "Report a hazard".')

LANGUAGE_NAMES = {"zh_CN": N_("Simplified Chinese"), "en": N_("English")}

# ---- reward campaigns (owned by rewards, announced here) -------------------------------------------

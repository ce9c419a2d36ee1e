"""Every sentence the bot says during intake, in English source form (translated per reader)."""

from __future__ import annotations

from bot.features import BotCommandSpec
from bot.i18n import N_
from bot.reports.geo import LocationProblem
from bot.reports.intake import Problem, Prompt
from bot.reports.photos import RejectReason
from bot.reports.statuses import Status
from bot.telegram.dedup_texts import DEDUP_PROBLEMS, DEDUP_PROMPTS

GREETING = N_(
    "Hello %(name)s! I am the SafeCity hazard-reporting bot.\n\n"
    "Send me a photo of a safety hazard (an e-bike charging indoors, a blocked fire exit, unfenced water, "
    "a road danger...) and I will take its location, category and a short description, "
    "then pass it to the people who fix it. Verified reports can earn a reward."
)
PRIVACY = N_(
    "Privacy: we store your Telegram id and name, the photos (with all metadata such as GPS and camera "
    "details removed), the location and the description you send. They are used only to handle the hazard."
)
MENU_HEADER = N_("Commands:")
MENU_LINE = "/%(name)s - %(description)s"
#: The kernel's own commands, before and after the features' in the menu (bot/telegram/application.py).
KERNEL_COMMANDS_FIRST = (
    BotCommandSpec("report", N_("report a hazard")),
    BotCommandSpec("my_reports", N_("your reports and their status")),
)
KERNEL_COMMANDS_LAST = (
    BotCommandSpec("language", N_("change language")),
    BotCommandSpec("cancel", N_("cancel the current step")),
    BotCommandSpec("help", N_("this message")),
)
UNKNOWN_COMMAND = N_("I do not know the command %(command)s.")
NO_DRAFT_HINT = N_("To report a hazard, send a photo or use /report.")
CHOOSE_LANGUAGE = N_("Choose your language:")
LANGUAGE_SET = N_("Language set to English.")
NO_REPORTS = N_("You have not filed any reports yet. Send a photo to start.")
MY_REPORTS_HEADER = N_("Your reports:")
MY_REPORTS_LINE = N_("#%(id)s %(category)s: %(status)s (%(date)s)")
DRAFT_EXPIRED = N_(
    "Your unfinished report expired after %(minutes)s minutes without activity. Send a photo to start again."
)

PROMPTS: dict[Prompt, str] = {
    Prompt.ASK_PHOTO: N_("Please send a photo of the hazard (up to %(max)s). Sending it as a file keeps its location."),
    Prompt.PHOTO_ADDED: N_('Photo %(count)s of %(max)s received. Send another one, or tap "Done".'),
    Prompt.ASK_USE_PHOTO_LOCATION: N_(
        "The photo carries a location: %(lat).6f, %(lon).6f. Use it as the hazard's location?"
    ),
    Prompt.ASK_LOCATION: N_(
        'Where is the hazard? Tap "Send my location", share a location or venue with the paperclip, '
        "or type coordinates like: 31.2304, 121.4737"
    ),
    Prompt.ASK_DANGER: N_("Is anyone in danger right now?"),
    Prompt.EMERGENCY: N_(
        "This is an emergency: call now.\nPolice: %(police)s\nFire: %(fire)s\nAmbulance: %(ambulance)s\n\n"
        "No report has been filed. When everyone is safe, you can report the hazard with /report."
    ),
    Prompt.ASK_CATEGORY: N_("What kind of hazard is it?"),
    Prompt.ASK_DESCRIPTION: N_('Add a short description (what, where exactly, since when), or tap "Skip".'),
    Prompt.ASK_CONFIRM: N_(
        "Please check your report:\nPhotos: %(photos)s\nLocation: %(lat).6f, %(lon).6f\nCategory: %(category)s\n"
        "Description: %(description)s\n\nSubmit it?"
    ),
    Prompt.SUBMITTED: N_(
        "Thank you! Your report #%(id)s has been submitted.\nWhat happens next: a moderator checks it "
        "(usually within 24 hours), then it goes to the responsible agency. You will get a message at "
        "every change. See /my_reports at any time."
    ),
    Prompt.ALREADY_SUBMITTED: N_("This report was already submitted; nothing more was filed. See /my_reports."),
    Prompt.CANCELLED: N_("Your report has been cancelled. Nothing was filed."),
    Prompt.NOTHING_TO_CANCEL: N_("There is nothing to cancel."),
    **DEDUP_PROMPTS,
}

PROBLEMS: dict[str, str] = {
    Problem.WRONG_INPUT: N_("Sorry, that is not what I need at this step."),
    Problem.TOO_MANY_PHOTOS: N_("You already sent the maximum number of photos."),
    Problem.UNKNOWN_CATEGORY: N_("Please pick one of the categories below."),
    Problem.DESCRIPTION_TOO_LONG: N_("That description is too long (at most %(max_chars)s characters)."),
    Problem.NO_DRAFT: N_("That report is no longer open."),
    RejectReason.TOO_LARGE: N_("That file is too large (the limit is 20 MB). Please send a smaller photo."),
    RejectReason.NOT_AN_IMAGE: N_("That file is not an image. Please send a photo (JPEG, PNG, WebP or HEIC)."),
    RejectReason.UNSUPPORTED_FORMAT: N_(
        "That image format is not supported. Please send a JPEG, PNG, WebP or HEIC photo."
    ),
    RejectReason.TOO_MANY_PIXELS: N_("That image has too many pixels to process safely. Please send a normal photo."),
    RejectReason.DAMAGED: N_("That image file is damaged or incomplete. Please send the photo again."),
    LocationProblem.NULL_ISLAND: N_("That position is 0,0, which usually means the device had no GPS fix."),
    LocationProblem.OUT_OF_RANGE: N_("That is not a valid position (latitude -90..90, longitude -180..180)."),
    LocationProblem.OUTSIDE_SERVICE_AREA: N_("That position is outside the area this service covers."),
    **DEDUP_PROBLEMS,
}

BUTTONS = {
    "done": N_("Done"),
    "yes_use": N_("Yes, use it"),
    "no_other": N_("No, another place"),
    "send_location": N_("Send my location"),
    "danger_yes": N_("Yes, someone is in danger"),
    "danger_no": N_("No"),
    "skip": N_("Skip"),
    "submit": N_("Submit"),
    "cancel": N_("Cancel"),
}

STATUS_NAMES: dict[str, str] = {
    Status.SUBMITTED: N_("awaiting review"),
    Status.NEEDS_INFO: N_("more information needed"),
    Status.ACCEPTED: N_("accepted"),
    Status.DISPATCHED: N_("sent to the responsible agency"),
    Status.IN_PROGRESS: N_("being fixed"),
    Status.FIXED: N_("fixed, awaiting confirmation"),
    Status.VERIFIED_FIXED: N_("fixed and confirmed"),
    Status.REOPENED: N_("reopened"),
    Status.REJECTED: N_("rejected"),
    Status.DUPLICATE: N_("duplicate"),
    Status.NOT_RESPONSIBLE: N_("not our responsibility"),
    Status.NO_ACTION: N_("closed without action"),
}

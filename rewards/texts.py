"""Every sentence the rewards feature says to residents, in English source form (translated per reader)."""

from __future__ import annotations

from bot.i18n import N_
from rewards.claims import ClaimProblem, ClaimPrompt
from rewards.identity import PayoutMethod
from rewards.states import GrantState

GRANTED_CLAIM = N_(
    "Your report #%(report)s was verified and earned %(amount)s. To be paid, verify your real name and "
    "give a payout account with /claim. Unclaimed rewards lapse after %(days)s days."
)
GRANTED_CLAIMED = N_("Your report #%(report)s was verified and earned %(amount)s. It will be paid in the next payout.")
PAID = N_(
    "%(amount)s has been paid to your %(method)s account (reference %(reference)s). "
    "Thank you for keeping the city safe."
)
PAID_OFFSET = N_("%(offset)s of your rewards was set against an earlier reward that was reversed.")
REMINDER = N_(
    "You have %(amount)s in rewards waiting. Use /claim to verify your real name and give a payout account "
    "before %(date)s, or they lapse."
)

BALANCE_HEADER = N_("Your rewards")
BALANCE_LINES = N_("Available: %(available)s\nPending review or budget: %(pending)s\nPaid: %(paid)s")
BALANCE_DEBT = N_("Owed from a reversed reward (set against future payouts): %(debt)s")
BALANCE_POINTS = N_("Acknowledgement points: %(points)s")
BALANCE_CLAIM = N_("To be paid, use /claim before %(date)s.")
BALANCE_CLAIM_NO_DATE = N_("To be paid, verify your real name and payout account with /claim.")
BALANCE_HISTORY = N_("Recent rewards:")
BALANCE_LINE = N_("#%(report)s %(amount)s: %(state)s (%(date)s)")
BALANCE_EMPTY = N_("No rewards yet. Verified hazard reports earn rewards; send a photo to report one.")

STATE_NAMES: dict[str, str] = {
    GrantState.GRANTED: N_("available"),
    GrantState.PENDING_BUDGET: N_("waiting for budget"),
    GrantState.HELD: N_("under review"),
    GrantState.INELIGIBLE: N_("not eligible"),
    GrantState.REJECTED: N_("rejected"),
    GrantState.REVERSED: N_("reversed"),
    GrantState.PAID: N_("paid"),
    GrantState.LAPSED: N_("lapsed"),
}

METHOD_NAMES: dict[str, str] = {
    PayoutMethod.ALIPAY: N_("Alipay"),
    PayoutMethod.WECHAT: N_("WeChat Pay"),
    PayoutMethod.BANK_CARD: N_("Bank card"),
}

PROMPTS = {
    ClaimPrompt.ASK_PHONE: N_(
        "To receive rewards we need your real name. First, share your phone number with the button below "
        "(only your own number is accepted). /cancel stops."
    ),
    ClaimPrompt.ASK_NAME: N_("Thank you. Now type your real name as on your ID card."),
    ClaimPrompt.ASK_METHOD: N_("How should we pay you?"),
    ClaimPrompt.ASK_ACCOUNT: N_("Type your %(method)s account (%(hint)s)."),
    ClaimPrompt.DONE: N_("All set: your rewards will be paid to %(method)s %(account)s in the next payout."),
    ClaimPrompt.SUMMARY: N_("Real name: %(name)s\nPhone: %(phone)s\nPaid to: %(method)s %(account)s"),
}
ACCOUNT_HINTS: dict[str, str] = {
    PayoutMethod.ALIPAY: N_("a mainland mobile number or an e-mail address"),
    PayoutMethod.WECHAT: N_("a WeChat ID or a mainland mobile number"),
    PayoutMethod.BANK_CARD: N_("16 to 19 digits"),
}
OTHER_ACCOUNT_HINT = N_("as the payment provider shows it")
PROBLEMS = {
    ClaimProblem.NOT_OWN_CONTACT: N_("That is not your own contact. Please tap the button to share your own number."),
    ClaimProblem.BAD_PHONE: N_("That phone number does not look right."),
    ClaimProblem.USE_BUTTON: N_("Please use the buttons."),
    ClaimProblem.BAD_NAME: N_("Please type your full real name (2 to 40 letters, no digits)."),
    ClaimProblem.BAD_ACCOUNT: N_("That account does not look right for this payment method."),
}
CLAIM_CANCELLED = N_("Stopped. Nothing you gave so far is lost: /claim continues.")

SHARE_PHONE_BUTTON = N_("Share my phone number")
CHANGE_ACCOUNT_BUTTON = N_("Change payout account")
JOIN_BOARD_BUTTON = N_("Show me on the leaderboard")
LEAVE_BOARD_BUTTON = N_("Hide me from the leaderboard")

BOARD_HEADER = N_("Top reporters this month (names masked):")
BOARD_LINE = N_("%(rank)s. %(name)s %(amount)s (%(reports)s reports)")
BOARD_EMPTY = N_("Nobody on the leaderboard yet this month.")
BOARD_YOU_IN = N_("You are shown on the leaderboard, with your name masked.")
BOARD_YOU_OUT = N_("You are not shown on the leaderboard.")
CAMPAIGN_TITLE = N_("Campaign: %(name)s")
CAMPAIGN_ANNOUNCEMENT = N_(
    'Reward campaign "%(name)s", %(start)s to %(end)s: verified reports of %(categories)s earn %(multiplier)s '
    'times the usual reward. Tap "Report a hazard" to take part.'
)
ANY_HAZARD = N_("any hazard")

#: The fraud signals a reward is held for, in words (the held rewards page, the report page's panel).
SIGNAL_NAMES = {
    "photo_reuse": N_("Photo matches report #%(report_id)s (%(distance)s bits apart)"),
    "burst": N_("%(reports_in_hour)s reports within an hour (limit %(limit)s)"),
    "queue_share": N_("%(share_pct)s%% of this queue's verified reports this month (%(reports)s of %(of)s)"),
    "exif_gap": N_("Photo taken %(days)s days away from the report (limit %(limit_days)s)"),
}

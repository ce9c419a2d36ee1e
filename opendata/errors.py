"""Open311 errors: an HTTP status, the spec's error code (it may be more specific) and a translated description."""

from __future__ import annotations

from bot.i18n import N_


class Open311Error(Exception):
    def __init__(self, status: int, description: str, *, error_code: int | None = None, **params: object) -> None:
        super().__init__(description)
        self.status = status
        self.code = error_code if error_code is not None else status
        self.description = description  #: English source, translated in the reader's language
        self.params = params


NOT_FOUND = N_("No such resource: %(what)s")
UNKNOWN_JURISDICTION = N_("jurisdiction_id %(given)s is not served here")
UNKNOWN_SERVICE = N_("service_code %(code)s not found")
NO_SUCH_REQUEST = N_("service_request_id %(id)s not found")
NO_SUCH_TOKEN = N_("token %(token)s not found")
BAD_DATE = N_("%(name)s must be a W3C date-time with a zone, e.g. 2026-01-01T00:00:00Z")
RANGE_TOO_LONG = N_("start_date and end_date may not be more than 90 days apart")
RANGE_BACKWARDS = N_("start_date is after end_date")
BAD_STATUS = N_("status must be open, closed or both, comma separated")
BAD_NUMBER = N_("%(name)s must be a whole number from %(low)s to %(high)s")
BAD_ID_LIST = N_("service_request_id must be request numbers, comma separated")
API_KEY_MISSING = N_("api_key is required")
API_KEY_WRONG = N_("api_key is not valid (unknown or revoked)")
RATE_LIMITED = N_("Too many requests: try again in %(seconds)s seconds")
MISSING_PARAMETER = N_("%(name)s is required")
BAD_COORDINATES = N_("lat and long must both be given, as decimal degrees (WGS84)")
NO_LOCATION = N_("a location is required: lat and long, or address_string")
NO_GEOCODER = N_(
    "address_string alone cannot be placed here (no geocoder is configured): send lat and long (WGS84) as well"
)
NOT_GEOCODED = N_("address_string could not be found on the map: send lat and long (WGS84)")
ADDRESS_ID_UNSUPPORTED = N_("address_id is not supported here: send lat and long (WGS84)")
BAD_ANSWER = N_("attribute[%(code)s]: %(problem)s")
TOKEN_TAKEN = N_("token %(token)s is already used by another partner")
TOKEN_TOO_LONG = N_("token may be at most 64 characters")
BAD_MEDIA = N_("media_url could not be used: %(problem)s")
REFUSED = N_("the request was refused: %(problem)s")
TOO_MANY_FILES = N_("at most %(count)s photos may be sent")

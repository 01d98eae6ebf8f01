"""Words the phone page shows: site kinds, and the check-in page's messages handed to its script."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.labels import CHECKIN_REASON_LABELS, SITE_CONDITION_LABELS

MESSAGES = {
    "locating": _l("Finding your position… keep the phone still for a few seconds."),
    "sending": _l("Sending…"),
    "accepted": _l("Checked in"),
    "flagged": _l("Checked in, held for review"),
    "rejected": _l("Not checked in"),
    "distance": _l("%(distance)s m from the site"),
    "radius": _l("Check-ins count within %(radius)s m of the site."),
    "queued": _l("Saved on this phone"),
    "queued_offline": _l("No signal: it will be sent by itself when the connection is back."),
    "queued_server": _l("The server could not take it just now: it will be sent again by itself."),
    "waiting": _l("Waiting to be sent: %(count)s"),
    "sent": _l("Sent"),
    "sent_later": _l("A saved check-in was sent."),
    "refused": _l("The server refused a saved check-in:"),
    "login": _l("You are logged out. Log in again to send the saved check-ins."),
    "not_saved": _l("The check-in could not be saved on this phone. Please try again."),
    "denied": _l("Location is blocked"),
    "denied_why": _l("A check-in needs your position to prove that you are at the site."),
    "denied_help": _l(
        "Allow it: tap the lock or ⓘ next to the address, choose Permissions → Location → Allow, make sure the phone's location (GPS) is on, then tap Check in again. In WeChat, open the page in the phone's browser first (⋯ → Open in browser)."
    ),
    "unavailable": _l(
        "The phone could not find its position. Turn on location (GPS), step outside or near a window, and try again."
    ),
    "timeout": _l(
        "No position after waiting. Turn on location (GPS), step outside or near a window, and try again."
    ),
    "photo_waiting": _l("Photos to send with the check-in: %(count)s"),
    "photo_queued": _l("Photo saved on this phone; it is sent after the check-in."),
    "photo_shrinking": _l("Preparing the photo…"),
    "photo_unreadable": _l("This photo could not be read. Take it again or choose another."),
    "photo_sent": _l("Photo and details added to the check-in."),
    "details_queued": _l("Details saved on this phone; they are added to the check-in when sent."),
    "details_refused": _l("The server refused the added details:"),
    "no_checkin_yet": _l("Check in first; details are then added to that check-in."),
    "no_geolocation": _l(
        "This browser cannot give a position. Open the page in the phone's own browser over https."
    ),
}


def page_texts() -> dict:
    """Messages for checkin.js, translated into the page's language."""
    return {
        "messages": {key: str(text) for key, text in MESSAGES.items()},
        "reasons": {key: str(text) for key, text in CHECKIN_REASON_LABELS.items()},
        "conditions": {key: str(text) for key, text in SITE_CONDITION_LABELS.items()},
    }

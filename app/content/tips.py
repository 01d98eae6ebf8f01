"""The anti-fraud tips a public site page may show; coordinators choose among them per area."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

TIPS = {
    "no_transfer": _l(
        "Police, prosecutors and courts never ask you to transfer money to a 'safe account'."
    ),
    "no_codes": _l(
        "Never tell anyone a text message verification code, not even 'customer service'."
    ),
    "brushing": _l("Paid 'likes' or order brushing for a commission are always fraud."),
    "investment": _l("High returns promised by a stranger or a new online friend mean fraud."),
    "loans": _l("A loan that asks for a fee, deposit or 'unfreezing' money first is fraud."),
    "customer_service": _l(
        "A 'customer service' call about refunds or your credit record wants your money: hang up and call the official number."
    ),
    "screen_share": _l("Never share your screen or install an app a stranger sends you."),
    "shopping": _l(
        "Pay inside the shopping platform; never follow a seller to a private chat to pay."
    ),
    "ask_family": _l("Before any transfer, stop and ask your family or call 96110."),
}
DEFAULT_TIPS = ("no_transfer", "no_codes", "brushing", "investment", "ask_family")
MAX_TIPS = 6

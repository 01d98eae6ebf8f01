"""What people read for the codes the data keeps: site kinds, roles, forces, levels, datums,
household tags, visit outcomes, age bands, task kinds and statuses, warning levels and results,
fraud types, check-in reasons, site conditions. Every table of words for codes lives here, and nowhere else."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

SITE_KIND_LABELS = {
    "banner": _l("Banner"),
    "board": _l("Display board"),
    "screen": _l("Anti-fraud electronic screen"),
    "poster": _l("Poster"),
    "cinema": _l("Cinema"),
    "clinic": _l("Vaccination observation room"),
    "bank": _l("Bank branch"),
    "hotel": _l("Hotel"),
    "internet_cafe": _l("Internet café"),
    "school": _l("School"),
    "company": _l("Company"),
    "service_window": _l("Document-service window"),
    "other": _l("Other site"),
}
FORCE_LABELS = {
    "grid_worker": _l("Grid workers"),
    "militia": _l("Militia"),
    "rider": _l("Delivery riders"),
    "volunteer": _l("Volunteers"),
    "police": _l("Police"),
    "enterprise_officer": _l("Enterprise officers"),
}
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "leader": _l("Leader"),
    "coordinator": _l("Coordinator"),
    "worker": _l("Worker"),
}
AREA_LEVEL_LABELS = {"street": _l("Street"), "community": _l("Community"), "grid": _l("Grid")}
COORD_SYSTEM_LABELS = {
    "wgs84": _l("WGS-84 (GPS)"),
    "gcj02": _l("GCJ-02 (AMap, Tencent)"),
    "bd09": _l("BD-09 (Baidu)"),
}
# "Parent" is also the area form's parent area (上级区域): the context keeps the two words apart.
HOUSEHOLD_TAG_LABELS = {
    "elderly": _l("Elderly"),
    "floating": _l("Floating population"),
    "student": _l("Student"),
    "enterprise": _l("Company staff"),
    "finance": _l("Finance staff"),
    "parent": lazy_pgettext("household tag", "Parent"),
    "other": _l("Other"),
}
VISIT_OUTCOME_LABELS = {
    "reached": _l("Reached"),
    "not_home": _l("Not at home"),
    "refused": _l("Refused"),
}
AGE_BAND_LABELS = {
    "under_18": _l("under 18"),
    "18_30": _l("18 to 30"),
    "31_45": _l("31 to 45"),
    "46_60": _l("46 to 60"),
    "over_60": _l("over 60"),
}
TASK_KIND_LABELS = {
    "door_to_door": _l("Door-to-door publicity"),
    "return_visit": _l("Return visit after a case"),
    "site_check": _l("Site checks"),
    "poster": _l("Posters"),
    "banner": _l("Banners"),
    "screen": _l("Electronic screens"),
    "lecture": _l("Lectures"),
    "stall": _l("Street stalls"),
    "screening": _l("Screenings"),
    "rider_drop": _l("Rider leaflet drops"),
    "app_promotion": _l("Anti-fraud app promotion"),
    "other": _l("Other"),
}
WARNING_LEVEL_LABELS = {"high": _l("High"), "medium": _l("Medium"), "low": _l("Low")}
WARNING_RESULT_LABELS = {
    "dissuaded": _l("Dissuaded face to face"),
    "phone_dissuaded": _l("Dissuaded by phone"),
    "unreachable": _l("Could not be reached"),
    "already_defrauded": _l("Already defrauded"),
}
TASK_STATUS_LABELS = {
    "open": _l("Open"),
    "in_progress": _l("In progress"),
    "done": _l("Done"),
    "cancelled": _l("Cancelled"),
    "handled": _l("Handled"),
}
TARGET_KEY_LABELS = {
    "household_rounds": _l("Rounds of every household"),
    "site_visits": _l("Visits per site"),
    "leaflets": _l("Leaflets per grid"),
    "lectures": _l("Lectures per grid"),
    "stalls": _l("Stalls per grid"),
    "app_installs": _l("App installs per grid"),
    "count": _l("Count per grid"),
}
FRAUD_TYPE_LABELS = {
    "loan_investment": _l("Loan / investment"),
    "order_brushing": _l("Order brushing"),
    "fake_customer_service": _l("Fake customer service"),
    "pig_butchering": _l("Pig butchering"),
    "shopping": _l("Shopping"),
    "impersonating_police": _l("Impersonating police"),
    "other": _l("Other"),
}
UNREACHABLE_REASON_LABELS = {"vacant": _l("Vacant"), "demolished": _l("Demolished")}
VISIT_STATE_LABELS = {"todo": _l("Not visited yet"), **VISIT_OUTCOME_LABELS}
CHECKIN_REASON_LABELS = {  # CheckIn.reason holds these codes, comma-separated
    "out_of_range": _l("Too far from the site"),
    "no_accuracy": _l("The position came without an accuracy"),
    "poor_accuracy": _l("The position is too imprecise"),
    "at_site_pin": _l("The position equals the site's pin exactly"),
    "same_position": _l("The position equals your previous check-in exactly"),
    "too_fast": _l("Impossibly fast since your previous check-in"),
    "future_time": _l("The capture time lies in the future"),
    "too_old": _l("Captured more than 72 hours ago"),
    "repeated": _l("Too many check-ins at this site within 10 minutes"),
}
SITE_CONDITION_LABELS = {
    "ok": _l("Intact"),
    "damaged": _l("Damaged"),
    "covered": _l("Covered"),
    "missing": _l("Missing"),
    "screen_off": _l("Screen not playing"),
}

# The tables the pages about tasks and warnings read as `task_words` (one context processor).
MUST_CHECK_KIND_LABELS = {
    "defrauded": _l("Dissuasion failed"),
    "large_loss": _l("Large loss"),
    "community_repeat": _l("Repeated cases in the community"),
    "place_repeat": _l("Repeated cases at one place"),
}
MUST_CHECK_STATUS_LABELS = {"open": _l("Open"), "concluded": _l("Concluded")}
QUIZ_AUDIENCE_LABELS = {
    "residents": _l("Residents' edition"),
    "students": _l("Students' edition"),
    "parents": _l("Parents' edition"),
}
ASSESSMENT_INDICATOR_LABELS = {
    "site_coverage": _l("Site coverage"),
    "household_coverage": _l("Household coverage"),
    "warnings_on_time": _l("Warnings handled in time"),
    "cases_per_10k": _l("Cases per 10,000 residents"),
    "awareness_rate": _l("Awareness rate"),
    "app_install_rate": _l("App install rate"),
    "rounds_completed": _l("Rounds completed"),
}
TASK_WORDS = {
    "kinds": TASK_KIND_LABELS,
    "forces": FORCE_LABELS,
    "levels": WARNING_LEVEL_LABELS,
    "results": WARNING_RESULT_LABELS,
    "statuses": TASK_STATUS_LABELS,
}
TABLES = {
    "site_kind": SITE_KIND_LABELS,
    "force": FORCE_LABELS,
    "role": ROLE_LABELS,
    "level": AREA_LEVEL_LABELS,
    "coord_system": COORD_SYSTEM_LABELS,
    "household_tag": HOUSEHOLD_TAG_LABELS,
    "visit_outcome": VISIT_OUTCOME_LABELS,
    "age_band": AGE_BAND_LABELS,
    "task_kind": TASK_KIND_LABELS,
    "task_status": TASK_STATUS_LABELS,
    "warning_level": WARNING_LEVEL_LABELS,
    "warning_result": WARNING_RESULT_LABELS,
    "fraud_type": FRAUD_TYPE_LABELS,
    "unreachable_reason": UNREACHABLE_REASON_LABELS,
    "checkin_reason": CHECKIN_REASON_LABELS,
    "site_condition": SITE_CONDITION_LABELS,
    "must_check_kind": MUST_CHECK_KIND_LABELS,
    "must_check_status": MUST_CHECK_STATUS_LABELS,
    "quiz_audience": QUIZ_AUDIENCE_LABELS,
    "indicator": ASSESSMENT_INDICATOR_LABELS,
}


def label(value: str | None, table: str) -> str:
    """The reader's word for a code; the code itself when there is none."""
    if value is None:
        return ""
    return str(TABLES[table].get(value, value))


# A person's own notification channel (notify_channel).
CHANNEL_LABELS = {
    "sms": _l("SMS"),
    "wecom": _l("WeCom group robot (企业微信)"),
    "dingtalk": _l("DingTalk group robot (钉钉)"),
    "webhook": _l("Webhook"),
}


def labelled(values, labels) -> list[tuple[str, str]]:
    """(code, word) pairs for a select field."""
    return [(v, labels.get(v, v)) for v in values]

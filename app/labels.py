"""What people read for the codes the data keeps: site kinds, roles, forces, levels, datums,
household tags, visit outcomes, age bands."""

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
    "grid_worker": _l("Grid workers"), "militia": _l("Militia"), "rider": _l("Delivery riders"),
    "volunteer": _l("Volunteers"), "police": _l("Police"), "enterprise_officer": _l("Enterprise officers"),
}
ROLE_LABELS = {
    "admin": _l("Administrator"), "leader": _l("Leader"), "coordinator": _l("Coordinator"),
    "worker": _l("Worker"),
}
AREA_LEVEL_LABELS = {"street": _l("Street"), "community": _l("Community"), "grid": _l("Grid")}
COORD_SYSTEM_LABELS = {
    "wgs84": _l("WGS-84 (GPS)"), "gcj02": _l("GCJ-02 (AMap, Tencent)"), "bd09": _l("BD-09 (Baidu)"),
}
# "Parent" is also the area form's parent area (上级区域): the context keeps the two words apart.
HOUSEHOLD_TAG_LABELS = {
    "elderly": _l("Elderly"), "floating": _l("Floating population"), "student": _l("Student"),
    "enterprise": _l("Company staff"), "finance": _l("Finance staff"),
    "parent": lazy_pgettext("household tag", "Parent"), "other": _l("Other"),
}
VISIT_OUTCOME_LABELS = {"reached": _l("Reached"), "not_home": _l("Not at home"), "refused": _l("Refused")}
AGE_BAND_LABELS = {
    "under_18": _l("under 18"), "18_30": _l("18 to 30"), "31_45": _l("31 to 45"), "46_60": _l("46 to 60"),
    "over_60": _l("over 60"),
}
TABLES = {"site_kind": SITE_KIND_LABELS, "force": FORCE_LABELS, "role": ROLE_LABELS,
          "level": AREA_LEVEL_LABELS, "coord_system": COORD_SYSTEM_LABELS,
          "household_tag": HOUSEHOLD_TAG_LABELS, "visit_outcome": VISIT_OUTCOME_LABELS,
          "age_band": AGE_BAND_LABELS}


def label(value: str | None, table: str) -> str:
    """The reader's word for a code; the code itself when there is none."""
    if value is None:
        return ""
    return str(TABLES[table].get(value, value))


def labelled(values, labels) -> list[tuple[str, str]]:
    """(code, word) pairs for a select field."""
    return [(v, labels.get(v, v)) for v in values]

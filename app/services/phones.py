"""People's own phone numbers as GridReach keeps them (a login, an import's match key)."""

from __future__ import annotations

import re
import unicodedata

_SPACING = re.compile(r"[\s\-]")


def normalize_phone(value: str) -> str:
    """Width-folded, without spaces or dashes: `138-0000 1234` and `１３８００００１２３４` → `13800001234`."""
    return _SPACING.sub("", unicodedata.normalize("NFKC", value))

"""Masking residents' phone numbers by length, as the contract says."""

import pytest

from app.services.warnings.handling import mask_phone

DIGITS = "123456789012345"
# (length, masked): 11 digits is a mobile (first 3, last 4); any other length shows its last
# min(4, length // 2) digits, so never more than half of the number.
EXPECTED = {
    1: "****",
    2: "****2",
    3: "****3",
    4: "****34",
    5: "****45",
    6: "****456",
    7: "****567",
    8: "****5678",
    9: "****6789",
    10: "****7890",
    11: "123****8901",
    12: "****9012",
    13: "****0123",
    14: "****1234",
    15: "****2345",
}


@pytest.mark.parametrize("length", range(1, 16))
def test_masks_by_length(length):
    phone = DIGITS[:length]
    masked = mask_phone(phone)
    assert masked == EXPECTED[length]
    shown = masked.replace("*", "")
    assert len(shown) <= (7 if length == 11 else min(4, length // 2))


def test_contract_examples():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("87654321") == "****4321"
    assert mask_phone("1234567") == "****567"
    assert mask_phone("+8613812341234") == "****1234"  # not an 11-digit mobile as written
    assert mask_phone(None) is None and mask_phone("") == ""

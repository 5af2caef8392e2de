"""Signed worker links: bound to one user, one case and an expiry; anything changed breaks them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from intake import links

KEY = b"k" * 32
NOW = datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
CASE = "440307-20261118-00001-3"


def _check(query: dict[str, str], case_no: str = CASE, now: datetime = NOW,
           key: bytes = KEY) -> links.SignedLink | None:
    return links.verify(key, case_no, query["u"], query["exp"], query["sig"], now)


def test_a_fresh_link_verifies_for_its_user_and_case() -> None:
    query = links.issue(KEY, 7, CASE, NOW).query(KEY)
    assert _check(query) == links.SignedLink(7, CASE, int((NOW + links.DEFAULT_TTL).timestamp()))


@pytest.mark.parametrize("change", [
    {"u": "8"}, {"exp": "9999999999"}, {"sig": "A" * 43}, {"sig": ""}, {"u": "-7"}, {"u": "７"}, {"u": "1" * 40},
    {"exp": "abc"}, {"sig": "x" * 10_000}, {"sig": "é" * 43}, {"u": "7\x00"},
])
def test_a_changed_parameter_breaks_the_link(change: dict[str, str]) -> None:
    query = links.issue(KEY, 7, CASE, NOW).query(KEY)
    assert _check({**query, **change}) is None


def test_another_case_another_key_or_a_late_tap_is_refused() -> None:
    query = links.issue(KEY, 7, CASE, NOW, ttl=timedelta(hours=1)).query(KEY)
    assert _check(query, case_no="440307-20261118-00002-1") is None
    assert _check(query, key=b"other" * 8) is None
    assert _check(query, now=NOW + timedelta(minutes=59)) is not None
    assert _check(query, now=NOW + timedelta(hours=1)) is None

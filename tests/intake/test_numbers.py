from __future__ import annotations

from datetime import date

import pytest

from intake.cases.numbers import format_case_no, luhn_digit, parse_case_no


def test_format_and_parse_round_trip() -> None:
    no = format_case_no("440307", date(2026, 11, 21), 42)
    assert no.startswith("440307-20261121-00042-")
    assert parse_case_no(no) == no
    assert parse_case_no(no.replace("-", "")) == no
    assert parse_case_no(" " + no.replace("-", " ") + " ") == no


def test_a_misheard_digit_is_caught() -> None:
    no = format_case_no("440307", date(2026, 11, 21), 42)
    for i, ch in enumerate(no):
        if ch.isdigit():
            typo = no[:i] + str((int(ch) + 1) % 10) + no[i + 1:]
            assert parse_case_no(typo) is None, typo


def test_numbers_sort_by_district_then_time() -> None:
    a = format_case_no("440307", date(2026, 11, 21), 9)
    b = format_case_no("440307", date(2026, 11, 21), 10)
    c = format_case_no("440307", date(2026, 11, 22), 1)
    assert sorted([c, b, a]) == [a, b, c]


def test_luhn_known_value() -> None:
    assert luhn_digit("7992739871") == 3


@pytest.mark.parametrize("bad", ["", "abc", "440307-2026112-00042-1", "4403-20261121-00042-1"])
def test_malformed_numbers(bad: str) -> None:
    assert parse_case_no(bad) is None


def test_out_of_range_inputs_are_refused() -> None:
    with pytest.raises(ValueError):
        format_case_no("44030", date(2026, 1, 1), 1)
    with pytest.raises(ValueError):
        format_case_no("440307", date(2026, 1, 1), 100_000)

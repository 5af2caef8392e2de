"""Masking personal data in group messages, with tricky inputs."""

from __future__ import annotations

import pytest

from notify.mask import mask_fields, mask_name, mask_text


@pytest.mark.parametrize(("text", "masked"), [
    ("电话13812345678", "电话138****5678"),
    ("call 138-1234-5678 now", "call 138****5678 now"),
    ("138 1234 5678", "138****5678"),
    ("+86 13812345678", "+86 138****5678"),
    ("008613812345678", "0086138****5678"),
    ("１３８１２３４５６７８", "１３８****５６７８"),  # full-width digits
    ("a13812345678b", "a138****5678b"),
    ("13812345678,13987654321", "138****5678,139****4321"),
])
def test_mobiles_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize("text", [
    "12812345678",  # 12x is no mobile prefix
    "138123456789",  # twelve digits: not a mobile number
    "订单号 2138123456780",
    "案件 GL-20261118-0001",
    "价格 1380 元",
])
def test_other_numbers_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


@pytest.mark.parametrize(("text", "masked"), [
    ("身份证110101199003071234", "身份证1101**********1234"),
    ("ID 11010119900307123X.", "ID 1101**********123X."),
    ("11010119900307123x", "1101**********123x"),
    ("旧证110101900307123", "旧证1101*******7123"),  # 15-digit legacy form
    ("１１０１０１１９９００３０７１２３４", "１１０１**********１２３４"),
])
def test_id_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_an_id_number_is_not_read_as_a_mobile_inside_it() -> None:
    # 13 digits of an ID number starting "1381..." must not leave a half-masked mobile behind.
    masked = mask_text("138123456789012345")
    assert masked == "1381**********2345" and "5678" not in masked


def test_nineteen_digits_are_no_id_number() -> None:
    assert mask_text("1101011990030712345") == "1101011990030712345"


@pytest.mark.parametrize(("name", "masked"), [
    ("张三", "张*"), ("欧阳娜娜", "欧***"), ("Li Wei", "L* ***"), ("  王  ", "王"), ("", ""), ("李", "李"),
])
def test_names_keep_their_first_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_fields_mask_names_and_text_recursively() -> None:
    data = {"reporter_name": "张小明", "note": "联系 13812345678", "count": 3,
            "contacts": [{"name": "李四", "phone": "13987654321"}], "address": "南澳街道 1 号"}
    masked = mask_fields(data)
    assert masked == {"reporter_name": "张**", "note": "联系 138****5678", "count": 3,
                      "contacts": [{"name": "李*", "phone": "139****4321"}], "address": "南澳街道 1 号"}
    assert data["reporter_name"] == "张小明"  # the input is not changed

"""Money: integer minor units, one rounding rule, and prices a person can fix when refused."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from marketplace.core.money import (
    CURRENCIES,
    MoneyError,
    format_money,
    major_text,
    minor_from_major,
    money_json,
    split_fee,
    validate_price,
)

AMOUNTS = st.integers(min_value=0, max_value=10**12)
BASIS_POINTS = st.integers(min_value=0, max_value=10_000)
CODES = st.sampled_from(sorted(CURRENCIES))


# --- Fees ----------------------------------------------------------------------------------------------


@given(amount=AMOUNTS, basis_points=BASIS_POINTS)
@example(amount=10**12, basis_points=10_000)
@example(amount=1, basis_points=5_000)
def test_fee_and_seller_share_add_up_to_the_amount(amount, basis_points):
    fee, share = split_fee(amount, basis_points)
    assert isinstance(fee, int) and isinstance(share, int)
    assert fee + share == amount
    assert 0 <= fee <= amount
    assert 0 <= share <= amount


@given(amount=AMOUNTS, basis_points=BASIS_POINTS)
@example(amount=1, basis_points=5_000)  # 0.5 -> 1
@example(amount=3, basis_points=5_000)  # 1.5 -> 2
@example(amount=10, basis_points=1_250)  # 1.25 -> 1
@example(amount=999_999_999_999, basis_points=1)
def test_fee_is_rounded_half_up_to_the_minor_unit(amount, basis_points):
    exact = Decimal(amount) * Decimal(basis_points) / Decimal(10_000)
    fee, _ = split_fee(amount, basis_points)
    assert fee == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert abs(Decimal(fee) - exact) <= Decimal("0.5")


@pytest.mark.parametrize(
    ("amount", "basis_points", "fee"),
    [
        (499, 2_000, 100),
        (1_000, 1_500, 150),
        (5, 1_000, 1),
        (4, 1_000, 0),
        (2_900, 0, 0),
        (2_900, 10_000, 2_900),
    ],
)
def test_fee_on_real_prices(amount, basis_points, fee):
    assert split_fee(amount, basis_points) == (fee, amount - fee)


@given(amount=AMOUNTS, low=BASIS_POINTS, high=BASIS_POINTS)
def test_a_higher_rate_never_gives_a_lower_fee(amount, low, high):
    low, high = sorted((low, high))
    assert split_fee(amount, low)[0] <= split_fee(amount, high)[0]


@pytest.mark.parametrize(("amount", "basis_points"), [(-1, 1_000), (100, -1), (100, 10_001)])
def test_split_fee_refuses_impossible_input(amount, basis_points):
    with pytest.raises(MoneyError):
        split_fee(amount, basis_points)


# --- Display ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "code", "shown"),
    [
        (499, "USD", "$4.99"),
        (0, "USD", "$0.00"),
        (5, "USD", "$0.05"),
        (1_000_000, "USD", "$10,000.00"),
        (2_900, "CNY", "CN¥29.00"),
        (12_345_678, "CNY", "CN¥123,456.78"),
        (500, "JPY", "JP¥500"),
        (1, "JPY", "JP¥1"),
        (1_500_000, "JPY", "JP¥1,500,000"),
        (15_000, "KRW", "₩15,000"),
        (999, "usd", "$9.99"),
    ],
)
def test_format_money(amount, code, shown):
    assert format_money(amount, code) == shown


@pytest.mark.parametrize(
    ("amount", "code", "english", "chinese"),
    [
        (900, "CNY", "CN¥9.00", "¥9.00"),
        (900, "JPY", "JP¥900", "JP¥900"),
        (499, "USD", "$4.99", "US$4.99"),
        (900, "HKD", "HK$9.00", "HK$9.00"),
    ],
)
def test_yuan_and_yen_never_read_alike_in_either_language(amount, code, english, chinese):
    assert format_money(amount, code, "en") == english
    assert format_money(amount, code, "zh-hans") == chinese
    with translation.override("zh-hans"):
        assert format_money(amount, code) == chinese  # the active language by default
    assert money_json(amount, code)["display"] == english  # the API's, whoever asks


def test_an_approximate_price_rounds_to_whole_units_half_up():
    assert format_money(7_150, "CNY", "en", whole=True) == "CN¥72"
    assert format_money(7_149, "CNY", "zh-hans", whole=True) == "¥71"


@given(amount=st.integers(min_value=0, max_value=10**12), code=st.sampled_from(["JPY", "KRW"]))
def test_zero_decimal_currencies_show_the_amount_itself(amount, code):
    shown = format_money(amount, code)
    assert "." not in shown
    assert int(shown.lstrip("JP¥₩").replace(",", "")) == amount


@given(amount=st.integers(min_value=0, max_value=10**12), code=st.sampled_from(["USD", "CNY"]))
def test_two_decimal_currencies_show_major_and_minor_units(amount, code):
    shown = format_money(amount, code)
    whole, _, cents = shown.lstrip("$CN¥").replace(",", "").partition(".")
    assert len(cents) == 2
    assert int(whole) * 100 + int(cents) == amount


@given(amount=st.integers(min_value=1, max_value=10**12), code=CODES)
def test_negative_amounts_show_the_sign_first_in_every_currency(amount, code):
    assert format_money(-amount, code) == "-" + format_money(amount, code)


def test_format_money_names_the_supported_currencies_for_an_unknown_code():
    with pytest.raises(MoneyError, match="Use one of: USD, CNY"):
        format_money(100, "XYZ")


# --- Prices ----------------------------------------------------------------------------------------------


@given(code=CODES)
def test_free_minimum_and_maximum_prices_are_accepted(code):
    currency = CURRENCIES[code]
    for amount in (0, currency.minimum_charge, currency.maximum_price):
        assert validate_price(amount, code.lower()) is currency


@pytest.mark.parametrize(
    ("amount", "code", "message"),
    [
        (-1, "USD", "Price cannot be negative."),
        (-500, "JPY", "Price cannot be negative."),
        (True, "USD", "must be an integer number of minor units"),
        (False, "USD", "must be an integer number of minor units"),
        (4.99, "USD", "must be an integer number of minor units"),
        (500.0, "JPY", "must be an integer number of minor units"),
        ("499", "USD", "must be an integer number of minor units"),
        (None, "USD", "must be an integer number of minor units"),
        (499, "XYZ", "Unsupported currency 'XYZ'. Use one of: USD"),
        (499, "", "Unsupported currency ''"),
        (499, None, "Unsupported currency None"),
        (1_000_001, "USD", "The largest price in USD is $10,000.00."),
        (1_500_001, "JPY", "The largest price in JPY is JP¥1,500,000."),
        (15_000_001, "KRW", "The largest price in KRW is ₩15,000,000."),
        (49, "USD", "The smallest non-zero price in USD is $0.50."),
        (399, "CNY", "The smallest non-zero price in CNY is CN¥4.00."),
        (49, "JPY", "The smallest non-zero price in JPY is JP¥50."),
    ],
)
def test_refused_prices_say_what_to_change(amount, code, message):
    with pytest.raises(MoneyError) as refused:
        validate_price(amount, code)
    assert message in str(refused.value)


@given(code=CODES, over=st.integers(min_value=1, max_value=10**12))
def test_any_price_over_the_maximum_is_refused_with_the_maximum(code, over):
    currency = CURRENCIES[code]
    with pytest.raises(MoneyError) as refused:
        validate_price(currency.maximum_price + over, code)
    assert format_money(currency.maximum_price, code) in str(refused.value)


@pytest.mark.parametrize(
    ("text", "currency", "minor"),
    [
        ("9.90", "USD", 990),
        ("9.9", "USD", 990),
        (".5", "USD", 50),
        ("3", "USD", 300),
        ("3.", "USD", 300),
        ("1,000", "JPY", 1000),
        ("500", "JPY", 500),
        ("500.0", "JPY", 500),
        (" 29.00 ", "CNY", 2900),
    ],
)
def test_amounts_typed_in_major_units_become_minor_units(text, currency, minor):
    assert minor_from_major(text, currency) == minor
    assert minor_from_major(major_text(minor, currency), currency) == minor


@pytest.mark.parametrize("text", ["", ".", "abc", "-1", "1e3", "²", "1.999", "9" * 30, "1.2.3"])
def test_amounts_that_are_not_money_are_refused_with_a_message(text):
    with pytest.raises(MoneyError):
        minor_from_major(text, "USD")


def test_yen_amounts_are_whole_and_print_without_decimals():
    with pytest.raises(MoneyError, match=r"^JPY amounts are whole yen, such as 500\.$"):
        minor_from_major("10.5", "JPY")
    with pytest.raises(MoneyError, match=r"^KRW amounts are whole won, such as 10000\.$"):
        minor_from_major("10.5", "KRW")
    with pytest.raises(MoneyError, match=r"^USD amounts have at most 2 digits after the point\.$"):
        minor_from_major("10.555", "USD")
    assert (major_text(500, "JPY"), major_text(990, "USD"), major_text(-5, "USD")) == ("500", "9.90", "-0.05")

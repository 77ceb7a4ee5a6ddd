"""Properties of a bundle's price over random listing prices, percents, codes and currencies.

Pure arithmetic (payments.services.bundles.bundle_line_prices): no database. JPY and KRW (no
minor unit) are among the currencies drawn.
"""

from __future__ import annotations

from django.conf import settings
from hypothesis import example, given
from hypothesis import strategies as st

from marketplace.core.money import CURRENCIES, split_fee
from payments.models import CodeKind, DiscountCode
from payments.services.bundles import bundle_line_prices

currencies = st.sampled_from(sorted(CURRENCIES))


@st.composite
def bundles(draw: st.DrawFn) -> tuple[list[int], str, int]:
    currency = CURRENCIES[draw(currencies)]
    prices = draw(
        st.lists(st.integers(currency.minimum_charge, currency.maximum_price), min_size=1, max_size=20)
    )
    return prices, currency.code, draw(st.integers(1, 90))


@st.composite
def codes(draw: st.DrawFn, currency: str) -> DiscountCode | None:
    kind = draw(st.sampled_from(["none", "percent", "fixed"]))
    if kind == "none":
        return None
    if kind == "percent":
        return DiscountCode(kind=CodeKind.PERCENT, percent=draw(st.integers(1, 100)))
    amount = draw(st.integers(1, CURRENCIES[currency].maximum_price * 3))
    return DiscountCode(kind=CodeKind.FIXED, amount=amount, currency=currency)


def _check(prices: list[int], currency: str, percent: int, code: DiscountCode | None) -> None:
    lines = bundle_line_prices(prices=prices, currency=currency, percent=percent, code=code)
    minimum = CURRENCIES[currency].minimum_charge
    assert [line.list_amount for line in lines] == prices
    for price, line in zip(prices, lines, strict=True):
        assert 0 <= line.amount <= price  # paid is never negative, never above the list price
        assert line.credit + line.discount + line.amount == price
        assert 0 <= line.credit <= price * percent // 100 and line.discount >= 0
        assert line.amount == 0 or line.amount >= min(minimum, price)
        assert (line.fee, line.seller_share) == split_fee(line.amount, settings.PLATFORM_FEE_BPS)
        assert line.fee + line.seller_share == line.amount
        if code is None and price - price * percent // 100 >= minimum:
            assert line.credit == price * percent // 100  # the bundle's percent, rounded down
    total = sum(line.amount for line in lines)
    # What the order charges is the lines added up, fee and share alike: nothing lost to rounding.
    assert sum(line.fee for line in lines) + sum(line.seller_share for line in lines) == total
    if code is not None and code.kind == CodeKind.FIXED:
        assert sum(line.discount for line in lines) <= (code.amount or 0)  # a fixed code counts once


@given(bundle=bundles(), data=st.data())
@example(bundle=([999, 1500, 101], "JPY", 15), data=None)
def test_a_bundle_price_adds_up_line_by_line(bundle: tuple[list[int], str, int], data) -> None:
    prices, currency, percent = bundle
    code = data.draw(codes(currency)) if data is not None else None
    _check(prices, currency, percent, code)


def test_the_bundle_discount_comes_first_then_the_code_on_what_is_left() -> None:
    code = DiscountCode(kind=CodeKind.PERCENT, percent=10)
    (line,) = bundle_line_prices(prices=[999], currency="JPY", percent=15, code=code)
    # 15% of 999 is 149.85: 149 off (rounded down); 10% of the 850 left is 85.
    assert (line.credit, line.discount, line.amount) == (149, 85, 765)
    assert line.fee + line.seller_share == 765


def test_a_fixed_code_is_spread_over_the_lines_in_order_and_taken_once() -> None:
    code = DiscountCode(kind=CodeKind.FIXED, amount=900, currency="USD")
    lines = bundle_line_prices(prices=[1000, 1000, 1000], currency="USD", percent=50, code=code)
    # Each line takes what is left of it (500 after the bundle's half) until the 900 are used up.
    assert [line.discount for line in lines] == [500, 400, 0]
    assert [line.amount for line in lines] == [0, 100, 500]

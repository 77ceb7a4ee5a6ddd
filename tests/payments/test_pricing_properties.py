"""Properties of services.pricing's arithmetic over random prices, discounts and currencies.

Pure arithmetic: no database. JPY and KRW (no minor unit) are among the currencies drawn.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from hypothesis import example, given
from hypothesis import strategies as st

from marketplace.core.money import CURRENCIES, apply_basis_points, split_fee
from payments.models import CodeKind, DiscountCode
from payments.services.pricing import code_discount, price_line

currencies = st.sampled_from(sorted(CURRENCIES))


@st.composite
def list_prices(draw: st.DrawFn) -> tuple[int, str]:
    currency = CURRENCIES[draw(currencies)]
    return draw(st.integers(currency.minimum_charge, currency.maximum_price)), currency.code


@st.composite
def codes(draw: st.DrawFn, currency: str) -> DiscountCode:
    if draw(st.booleans()):
        return DiscountCode(kind=CodeKind.PERCENT, percent=draw(st.integers(1, 100)))
    return DiscountCode(
        kind=CodeKind.FIXED,
        amount=draw(st.integers(1, CURRENCIES[currency].maximum_price)),
        currency=currency,
    )


def _check(list_amount: int, currency: str, credit: int, code: DiscountCode | None) -> None:
    line = price_line(list_amount=list_amount, currency=currency, credit=credit, code=code)
    minimum = CURRENCIES[currency].minimum_charge
    assert 0 <= line.amount <= list_amount
    assert line.credit + line.discount + line.amount == list_amount
    assert 0 <= line.credit <= credit and line.discount >= 0
    assert line.amount == 0 or line.amount >= min(minimum, list_amount)  # Stripe's smallest charge
    # split_fee's documented rule, written independently: the fee is amount * bps / 10000 rounded
    # half up to the minor unit (Decimal), the seller share the rest.
    fee = int((Decimal(line.amount) * settings.PLATFORM_FEE_BPS / 10_000).quantize(Decimal(1), ROUND_HALF_UP))
    assert (line.fee, line.seller_share) == (fee, line.amount - fee)
    assert line.fee + line.seller_share == line.amount
    base = list_amount - min(credit, list_amount)
    rule = code_discount(code, base)
    if base - rule == 0 or base - rule >= minimum:  # the minimum-charge rule did not step in
        assert line.discount == rule


@given(price=list_prices(), data=st.data())
@example(price=(999, "JPY"), data=None)
def test_a_code_never_makes_the_price_negative_or_the_fee_wrong(price: tuple[int, str], data) -> None:
    list_amount, currency = price
    code = data.draw(codes(currency)) if data is not None else DiscountCode(kind=CodeKind.PERCENT, percent=15)
    _check(list_amount, currency, 0, code)


@given(price=list_prices(), credit_share=st.integers(0, 10_000), data=st.data())
def test_an_upgrade_with_a_code_pays_at_most_the_difference(price, credit_share, data) -> None:
    list_amount, currency = price
    credit = list_amount * credit_share // 10_000
    code = data.draw(st.one_of(st.none(), codes(currency)))
    line = price_line(list_amount=list_amount, currency=currency, credit=credit, code=code)
    _check(list_amount, currency, credit, code)
    assert line.amount <= max(list_amount - credit, CURRENCIES[currency].minimum_charge)


@given(base=st.integers(0, 10**12), percent=st.integers(1, 100))
def test_a_percent_discount_is_rounded_down_to_the_minor_unit(base: int, percent: int) -> None:
    discount = code_discount(DiscountCode(kind=CodeKind.PERCENT, percent=percent), base)
    assert discount * 100 <= base * percent < (discount + 1) * 100


def test_rounding_examples_in_yen_and_dollars() -> None:
    percent15 = DiscountCode(kind=CodeKind.PERCENT, percent=15)
    yen = price_line(list_amount=999, currency="JPY", code=percent15)
    assert (yen.discount, yen.amount) == (149, 850)  # 149.85 off rounds down: never 150
    assert yen.fee == split_fee(850, settings.PLATFORM_FEE_BPS)[0]
    dollars = price_line(list_amount=1999, currency="USD", code=percent15)
    assert (dollars.discount, dollars.amount) == (299, 1700)
    # 95% off $1.00 would leave 5 cents; Stripe charges at least 50: the discount shrinks to 50.
    tiny = price_line(list_amount=100, currency="USD", code=DiscountCode(kind=CodeKind.PERCENT, percent=95))
    assert (tiny.discount, tiny.amount) == (50, 50)
    free = price_line(list_amount=100, currency="USD", code=DiscountCode(kind=CodeKind.PERCENT, percent=100))
    assert (free.amount, free.fee, free.seller_share) == (0, 0, 0)


@given(base=st.integers(0, 10**9), multiple=st.integers(10_000, 1_000_000))
def test_a_tier_multiple_rounds_half_up_like_the_fee(base: int, multiple: int) -> None:
    price = apply_basis_points(base, multiple)
    assert abs(price * 10_000 - base * multiple) <= 5_000
    assert price >= base

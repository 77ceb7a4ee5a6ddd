"""How a price or an amount of money in a request is refused: one error, the same everywhere.

The code is ``invalid_price`` and the message sits on the part of the request that is wrong:
"price.amount" or "price.currency" for a price object, "commercial.amount" for a licence tier,
"amount" or "currency" for a discount code. The API's input fields (marketplace.api.fields) refuse
a wrong type the same way.
"""

from __future__ import annotations

from marketplace.core.errors import INVALID_PRICE, ApplicationError
from marketplace.core.money import CURRENCIES, Currency, MoneyError, validate_price


def price_error(problem: MoneyError | str, *, field: str) -> ApplicationError:
    message = str(problem)
    return ApplicationError(INVALID_PRICE, message, fields={field: [message]})


def checked_price(amount: int, currency_code: str, *, field: str = "price") -> Currency:
    """validate_price for input: refused on "<field>.currency" when the currency is not one we
    sell in, else on "<field>.amount"."""
    try:
        return validate_price(amount, currency_code)
    except MoneyError as exc:
        known = isinstance(currency_code, str) and currency_code.upper() in CURRENCIES
        raise price_error(exc, field=f"{field}.amount" if known else f"{field}.currency") from None

"""The catalog's hot path: one page of published cards as one parameterised SQL statement.

Building this query through the ORM costs more than running it (compilation and row handling
were two thirds of a catalog request), so the common case — browse and filter without a text
query — is written out here. Table and column names come from the models' metadata, every value
is a parameter, and the ORM path in selectors stays the reference for searches.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import Field

from marketplace.accounts.models import User
from prompts.models import Listing, ListingStatus, Tag

_L = Listing._meta.db_table
_TAGS = Listing.tags.through._meta.db_table
_TAG = Tag._meta.db_table
_USER = User._meta.db_table


def column(field: str) -> str:
    model_field = Listing._meta.get_field(field)
    assert isinstance(model_field, Field) and model_field.column
    return connection.ops.quote_name(model_field.column)


def conditions(filters: Any) -> tuple[list[str], list[Any]]:
    """WHERE conditions on `l` (the listings table) for the filters: published, model, price ..."""
    where, params = ["l.status = %s"], [ListingStatus.PUBLISHED.value]
    for field, value in (
        ("target_model", filters.model),
        ("category", filters.category),
        ("language", filters.language),
        ("price_currency", filters.currency),
    ):
        if value:
            where.append(f"l.{column(field)} = %s")
            params.append(value)
    if filters.min_price is not None:
        where.append("l.price_amount >= %s")
        params.append(filters.min_price)
    if filters.max_price is not None:
        where.append("l.price_amount <= %s")
        params.append(filters.max_price)
    for bound, operator in ((filters.min_reference, ">="), (filters.max_reference, "<=")):
        if bound is not None:
            where.append(f"l.price_reference {operator} %s")
            params.append(bound)
    if filters.free is True:
        where.append("l.price_amount = 0")
    elif filters.free is False:
        where.append("l.price_amount > 0")
    if filters.trials is True:
        where.append("l.trial_runs > 0")
    elif filters.trials is False:
        where.append("l.trial_runs = 0")
    if filters.seller:
        where.append(f"l.seller_id IN (SELECT id FROM {_USER} WHERE LOWER(handle) = LOWER(%s))")  # noqa: S608
        params.append(filters.seller)
    if filters.tag:
        where.append(
            f"EXISTS (SELECT 1 FROM {_TAGS} lt JOIN {_TAG} t ON t.id = lt.tag_id "  # noqa: S608
            "WHERE lt.listing_id = l.id AND t.slug = %s)"
        )
        params.append(filters.tag)
    return where, params


def after_condition(
    field: str, descending: bool, after: tuple[Any, int] | None
) -> tuple[list[str], list[Any]]:
    """The keyset condition: rows strictly after (sort value, id) in the page order."""
    if after is None:
        return [], []
    value, pk = after
    if isinstance(value, datetime):
        value = connection.ops.adapt_datetimefield_value(value)
    return [f"(l.{column(field)}, l.id) {'<' if descending else '>'} (%s, %s)"], [value, pk]


def key_expression(field: str, alias: str = "l") -> str:
    """The sort key as returned to callers: dates as text, which spares parsing them (see selectors)."""
    return f"CAST({alias}.{column(field)} AS TEXT)" if field == "published_at" else f"{alias}.{column(field)}"


def page_rows(
    *,
    filters: Any,
    field: str,
    descending: bool,
    after: tuple[Any, int] | None,
    limit: int,
    extra: tuple[str, list[Any]] | None = None,
) -> list[tuple[int, Any, str]]:
    """(id, sort key, card JSON) rows in keyset order; `extra` is one more condition on `l`."""
    where, params = conditions(filters)
    if extra is not None:
        where.append(extra[0])
        params += extra[1]
    keyset, keyset_params = after_condition(field, descending, after)
    where += keyset
    params += keyset_params
    direction = "DESC" if descending else "ASC"
    # Identifiers come from model metadata and fixed fragments; every value is a parameter.
    sql = (
        f"SELECT l.id, {key_expression(field)}, l.card_json FROM {_L} l WHERE {' AND '.join(where)} "  # noqa: S608
        f"ORDER BY l.{column(field)} {direction}, l.id {direction} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return cursor.fetchall()


def detail_json(public_id: str) -> str | None:
    """The published listing's public document, by its unique public id."""
    sql = f"SELECT detail_json FROM {_L} WHERE public_id = %s AND status = %s"  # noqa: S608 - table from metadata
    with connection.cursor() as cursor:
        cursor.execute(sql, [public_id, ListingStatus.PUBLISHED.value])
        row = cursor.fetchone()
    return row[0] if row else None

"""Fuzz every operation of the served OpenAPI schema, in-process, anonymous and as a seller.

schemathesis sends each operation boundary values and wrong types for every documented input
(its coverage phase) plus a few random requests (Hypothesis). A response fails the test when it
is a 5xx, or when its status code, content type or body is not what the schema documents for that
operation. Half of the cases aim their path ids at real rows (a published listing, a draft with
an image, a tutoring offer, the seller's handle) so the requests get past the 404.

No operation is excluded (the Stripe webhook is not part of the API schema). Each operation is
its own test with its own rows, so a destructive call (deleting the draft, revoking the token)
only turns the later cases of that operation into the documented 404 or 401.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import TestCase
from hypothesis import HealthCheck, Phase, settings

from marketplace.accounts.models import User
from marketplace.accounts.services import token_create
from prompts import services as prompt_services
from tests.factories import UserFactory, make_listing, onboard, png_upload
from tests.support.openapi import RAW_SCHEMA, call_and_validate, schema
from tests.tutoring.helpers import make_offer

pytestmark = pytest.mark.slow

schema.config.phases.update(phases=["coverage", "fuzzing"])
# Methods an operation does not have are DRF's 405, the same for every view: not worth the time.
schema.config.phases.coverage.unexpected_methods = set()


def _anonymous_allowed(operation: dict[str, Any]) -> bool:
    security = operation.get("security")
    return not security or {} in security


ANONYMOUS_OPERATIONS = {
    (method.upper(), path)
    for path, operations in RAW_SCHEMA["paths"].items()
    for method, operation in operations.items()
    if _anonymous_allowed(operation)
}
# Anonymous calls to the rest all end in the same 401, which test_token_required_everywhere checks.
anonymous_schema = schema.include(
    lambda ctx: (ctx.operation.method.upper(), ctx.operation.path) in ANONYMOUS_OPERATIONS
)

FUZZ_SETTINGS = settings(
    # Random requests per operation, after the coverage phase's deterministic ones. Raise it for a
    # longer hunt: API_FUZZ_EXAMPLES=200 pytest tests/test_api_fuzz.py
    max_examples=int(os.environ.get("API_FUZZ_EXAMPLES", "6")),
    derandomize=True,  # the same requests on every run: a failure reproduces
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    # The fixtures are set up once per operation; every generated request may use them.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Rows:
    seller: User
    published: str
    draft: str
    image: str
    offer: str


@pytest.fixture
def rows(db: Any) -> Rows:
    seller = onboard(UserFactory(handle="fuzz-seller", email="fuzz-seller@example.com"))
    published = make_listing(seller, publish=True)
    draft = make_listing(seller, title="A draft")
    with TestCase.captureOnCommitCallbacks(execute=True):
        image = prompt_services.listing_image_add(listing=draft, by=seller, upload=png_upload())
    offer = make_offer(seller)
    return Rows(seller, published.public_id, draft.public_id, image.public_id, offer.public_id)


def _real_ids(path: str, rows: Rows) -> dict[str, str]:
    if path.startswith("/api/v1/seller/listings/"):
        return {"public_id": rows.draft, "image_id": rows.image}
    if "/tutoring/offers/" in path:
        return {"public_id": rows.offer}
    return {"public_id": rows.published, "listing_id": rows.published, "handle": rows.seller.handle}


def _call(case: Any, rows: Rows, headers: dict[str, str]) -> None:
    # Chosen from the case's content, not at random, so a run repeats exactly.
    content = repr((case.path_parameters, case.query, case.body)).encode()
    if case.path_parameters and zlib.crc32(content) % 2:
        ids = _real_ids(case.operation.path, rows)
        case.path_parameters = {name: ids.get(name, value) for name, value in case.path_parameters.items()}
    call_and_validate(case, headers)


@anonymous_schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous(case: Any, rows: Rows) -> None:
    _call(case, rows, headers={})


@pytest.fixture
def seller_token(rows: Rows) -> str:
    return token_create(user=rows.seller)[1]


@schema.parametrize()
@FUZZ_SETTINGS
def test_seller(case: Any, rows: Rows, seller_token: str) -> None:
    _call(case, rows, headers={"Authorization": f"Bearer {seller_token}"})


def test_token_required_everywhere(rows: Rows, anon: Any) -> None:
    """Every operation the schema says needs a token answers 401 without one, as documented."""
    for path, operations in RAW_SCHEMA["paths"].items():
        for method, operation in operations.items():
            if _anonymous_allowed(operation):
                continue
            placeholders = {"review_id": "x", "image_id": "x", "trial_id": "x", "code": "x"}
            url = path.format(**{**placeholders, **_real_ids(path, rows)})
            response = getattr(anon, method)(url)
            assert response.status_code == 401, (method, url, response.status_code)
            assert response.json()["error"]["code"] == "not_authenticated"
            assert "401" in operation["responses"], (method, path)

"""The API's OpenAPI schema as schemathesis sees it, and calls checked against it, in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from marketplace.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The schema /api/schema/ serves, built in-process; requests go to the WSGI app, no server.
RAW_SCHEMA: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(RAW_SCHEMA)
schema.app = application


@contextmanager
def in_test_transaction() -> Iterator[None]:
    """As Django's test client does: a request must not close the connection that holds the
    test's transaction (close_old_connections treats a connection inside atomic() as broken)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call_and_validate(case: Any, headers: dict[str, str] | None = None) -> Any:
    """Send the case to the app; fail on a 5xx or on a response the schema does not document."""
    with in_test_transaction(), TestCase.captureOnCommitCallbacks(execute=True):
        return case.call_and_validate(headers=headers or {}, checks=CHECKS)


def checked_call(method: str, path: str, token: str = "", **case: Any) -> Any:
    """One request built by hand (path_parameters=, query=, body=), checked against the schema."""
    operation = schema[path][method]
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return call_and_validate(operation.Case(**case), headers)

"""Telling a database that cannot be reached from a query that went wrong."""

from __future__ import annotations

import sqlite3

from django.db import InterfaceError, OperationalError

# PostgreSQL states that mean "no usable connection": the whole 08 class (connection exception),
# the server shutting down or starting up, and too many connections.
_UNAVAILABLE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}
# SQLite: busy past the timeout, cannot open the file, disk I/O error.
_UNAVAILABLE_SQLITE_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR}


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database cannot be reached, rather than that a query is wrong."""
    if isinstance(exc, InterfaceError):
        return True  # the connection is closed or broken
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    sqlite_code = getattr(cause, "sqlite_errorcode", None)
    if sqlite_code is not None:
        return sqlite_code & 0xFF in _UNAVAILABLE_SQLITE_CODES
    sqlstate = getattr(cause, "sqlstate", None)
    # psycopg leaves sqlstate empty when the server never answered (refused, reset, timed out).
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES

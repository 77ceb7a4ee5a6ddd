"""An exclusion constraint that exists on PostgreSQL only.

SQLite has no exclusion constraints. There the application check in services.booking_hold is
the guard, and it holds because SQLite runs every transaction with BEGIN IMMEDIATE (see
settings): the check and the insert are serialised by the database's single write lock.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.constraints import ExclusionConstraint
from django.db import DEFAULT_DB_ALIAS, connections


class PostgresExclusionConstraint(ExclusionConstraint):
    def _skip(self, schema_editor: Any) -> bool:
        return bool(schema_editor.connection.vendor != "postgresql")

    def constraint_sql(self, model: Any, schema_editor: Any) -> Any:
        return None if self._skip(schema_editor) else super().constraint_sql(model, schema_editor)

    def create_sql(self, model: Any, schema_editor: Any) -> Any:
        return None if self._skip(schema_editor) else super().create_sql(model, schema_editor)

    def remove_sql(self, model: Any, schema_editor: Any) -> Any:
        return None if self._skip(schema_editor) else super().remove_sql(model, schema_editor)

    def validate(self, model: Any, instance: Any, exclude: Any = None, using: str = DEFAULT_DB_ALIAS) -> None:
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)

"""The test suite's SQLite backend: Django's, except that `flush` (run after every
transactional test: live_server browser tests, `transactional_db`) lifts the audit log's
append-only triggers around its DELETE statements and puts them back in the same
transaction. On PostgreSQL flush uses TRUNCATE, which row triggers ignore, so the production
backend is used there. Production never uses this module (dudao/settings_test.py only)."""

from django.db.backends.sqlite3 import base, operations

from dudao.audit import triggers


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if triggers.TABLE not in tables or not statements:
            return statements
        return [*triggers.drop_sql("sqlite"), *statements, *triggers.create_sql("sqlite")]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

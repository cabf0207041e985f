"""The audit log is append-only in the database itself: triggers refuse UPDATE and DELETE on
`audit_auditentry`, whoever sends them (a QuerySet.update/delete, bulk_update, raw SQL, a
database console with the application's account).

- PostgreSQL: one plpgsql function and a BEFORE UPDATE OR DELETE ... FOR EACH ROW trigger
  raising SQLSTATE 23000 (integrity_constraint_violation); Django reports an IntegrityError.
- SQLite: BEFORE UPDATE and BEFORE DELETE triggers with RAISE(ABORT, ...) (an IntegrityError
  too).

TRUNCATE is not refused (row triggers do not fire on it): Django's `flush` uses it on
PostgreSQL, and a role that may TRUNCATE may also drop the trigger. Against the table's owner
the defence is the hash chain (`manage.py verify_audit`) and the chain heads kept outside the
database (the backup manifest); see docs/deployment.md, section 6.

SQLite drops a table's triggers when Django's schema editor rebuilds the table (most
AlterField/AddField operations do), so `ensure()` runs after every `migrate` (post_migrate)
and creates whatever is missing; `verify_audit` reports missing triggers.
"""

from django.db import connections

TABLE = "audit_auditentry"
MESSAGE = "audit_auditentry is append-only: UPDATE and DELETE are refused"
POSTGRES_FUNCTION = "audit_auditentry_append_only"
POSTGRES_TRIGGER = "audit_auditentry_append_only"
SQLITE_TRIGGERS = ("audit_auditentry_no_update", "audit_auditentry_no_delete")


def create_sql(vendor: str) -> list[str]:
    """Statements that create the triggers (idempotent)."""
    if vendor == "postgresql":
        return [
            f"""CREATE OR REPLACE FUNCTION {POSTGRES_FUNCTION}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE} (% on row %)', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$""",
            f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON {TABLE}",
            f"""CREATE TRIGGER {POSTGRES_TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
FOR EACH ROW EXECUTE FUNCTION {POSTGRES_FUNCTION}()""",
        ]
    if vendor == "sqlite":
        update, delete = SQLITE_TRIGGERS
        return [
            f"""CREATE TRIGGER IF NOT EXISTS {update} BEFORE UPDATE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
            f"""CREATE TRIGGER IF NOT EXISTS {delete} BEFORE DELETE ON {TABLE}
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
        ]
    return []


def drop_sql(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {POSTGRES_TRIGGER} ON {TABLE}",
            f"DROP FUNCTION IF EXISTS {POSTGRES_FUNCTION}()",
        ]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS]
    return []


def installed(using: str = "default") -> bool | None:
    """Whether the triggers are in place (None: a database without them, e.g. MySQL)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal "
                "AND tgrelid = to_regclass(%s) "
                "AND tgenabled <> 'D'",
                [POSTGRES_TRIGGER, TABLE],
            )
            return cursor.fetchone()[0] == 1
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                "AND name IN (%s, %s)",
                [TABLE, *SQLITE_TRIGGERS],
            )
            return cursor.fetchone()[0] == len(SQLITE_TRIGGERS)
    return None


def ensure(using: str = "default") -> None:
    """Create the triggers where the table exists and they are missing."""
    connection = connections[using]
    if TABLE not in connection.introspection.table_names():
        return
    if installed(using) is False:
        with connection.cursor() as cursor:
            for statement in create_sql(connection.vendor):
                cursor.execute(statement)

"""The audit log's hash chain.

Every entry stores `prev_hash` (the `hash` of the entry before it in its chain, or GENESIS)
and `hash`: hex SHA-256 of a canonical serialisation of its fields and `prev_hash`. There is
one chain per office (entries without an office form their own chain), so writers of
different offices never wait for each other.

Recording an entry (`seal`, inside the transaction that inserts it): lock the chain
(PostgreSQL: a transaction-level advisory lock per office; SQLite: transactions are
IMMEDIATE, so writers are already serialised), read the chain's last hash, compute, insert.
The lock is held until the transaction commits, so a chain never forks.

`verify()` walks every chain in id order and reports the first broken link of each: an
entry whose content no longer matches its hash (changed), or whose prev_hash is not the hash
of the entry before it (an entry deleted, inserted or reordered). Removing the newest entries
of a chain leaves a shorter valid chain: compare the chain heads with a copy kept elsewhere
(the backup manifest records them; `verify_audit --heads` prints them).

The serialisation survives database round-trips and JSON backups: JSON with sorted keys and
no ASCII escaping, times in UTC ISO format to the millisecond (entries are stored so, as
dumpdata keeps them), ids as strings, IP addresses in their canonical form, integral floats
as integers (PostgreSQL's jsonb may return 1e20 as an integer).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import json
from dataclasses import dataclass, field

from django.db import connections
from django.utils import timezone

GENESIS = "0" * 64
VERSION = 1
# pg_advisory_xact_lock(int4, int4): this constant names the audit chains, the second key
# is the office id (0 for entries without an office).
LOCK_CLASS = 0x0A0D17


def _json_value(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


def _ip(value) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(str(value).split("/")[0]))
    except ValueError:
        return str(value)


def _at(value: datetime.datetime) -> str:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, datetime.UTC)
    return value.astimezone(datetime.UTC).isoformat(timespec="milliseconds")


def _id(value) -> str | None:
    return None if value is None else str(value)


def canonical(entry) -> bytes:
    """The bytes an entry's hash is computed over."""
    # json round-trip first: what the JSONField stores is what comes back.
    changes = _json_value(json.loads(json.dumps(entry.changes or {})))
    data = {
        "v": VERSION,
        "at": _at(entry.at),
        "actor": _id(entry.actor_id),
        "actor_name": entry.actor_name or "",
        "office": _id(entry.office_id),
        "action": entry.action or "",
        "target_type": entry.target_type or "",
        "target_id": entry.target_id or "",
        "target_repr": entry.target_repr or "",
        "changes": changes,
        "ip": _ip(entry.ip),
        "user_agent": entry.user_agent or "",
        "prev_hash": entry.prev_hash or "",
    }
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest(entry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def lock_chain(office_id, using: str) -> None:
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                [LOCK_CLASS, int(office_id or 0) % 2**31],
            )


def head(model, office_id, using: str) -> str:
    """The hash of the newest entry of an office's chain (GENESIS for an empty chain)."""
    last = (
        model.objects.unscoped()
        .using(using)
        .filter(office_id=office_id)
        .order_by("-pk")
        .values_list("hash", flat=True)
        .first()
    )
    return last or GENESIS


def seal(model, entries, using: str) -> None:
    """Chain unsaved entries (in list order). Call inside the transaction that inserts them,
    and insert them in this order."""
    chains: dict[int | None, list] = {}
    now = timezone.now()
    for entry in entries:
        if entry.at is None:
            entry.at = now
        # Milliseconds, as Django's JSON serialiser (dumpdata) keeps them: the chain survives
        # a JSON backup too.
        entry.at = entry.at.replace(microsecond=entry.at.microsecond // 1000 * 1000)
        entry.ip = _ip(entry.ip)
        chains.setdefault(entry.office_id, []).append(entry)
    # Lock in a fixed order, so two writers of the same offices cannot deadlock.
    for office_id in sorted(chains, key=lambda pk: -1 if pk is None else pk):
        lock_chain(office_id, using)
    for office_id, chain in chains.items():
        prev = head(model, office_id, using)
        for entry in chain:
            entry.prev_hash = prev
            entry.hash = prev = digest(entry)


@dataclass
class Break:
    entry_id: int
    at: datetime.datetime
    office_id: int | None
    kind: str  # "changed" (content vs hash) or "link" (prev_hash vs the previous entry)
    expected: str
    found: str
    previous_id: int | None = None


@dataclass
class Report:
    entries: int = 0
    chains: int = 0
    heads: dict[str, str] = field(default_factory=dict)  # office id ("" for none) -> hash
    breaks: list[Break] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify(model, using: str = "default") -> Report:
    """Walk every chain in id order; the first break of each chain is reported."""
    report = Report()
    last: dict[int | None, tuple[str, int | None]] = {}
    broken: set[int | None] = set()
    rows = model.objects.unscoped().using(using).order_by("pk").iterator(chunk_size=2000)
    for entry in rows:
        report.entries += 1
        office_id = entry.office_id
        prev_hash, prev_id = last.get(office_id, (GENESIS, None))
        last[office_id] = (entry.hash, entry.pk)
        if office_id in broken:
            continue
        if entry.prev_hash != prev_hash:
            kind, expected, found = "link", prev_hash, entry.prev_hash
        else:
            expected, found = digest(entry), entry.hash
            kind = "changed" if expected != found else ""
        if kind:
            broken.add(office_id)
            report.breaks.append(
                Break(entry.pk, entry.at, office_id, kind, expected, found, prev_id)
            )
    report.chains = len(last)
    report.heads = {
        "" if office_id is None else str(office_id): value[0] for office_id, value in last.items()
    }
    return report

"""`manage.py verify_audit [--heads]`: check the audit log's hash chains (dudao.audit.chain)
and its append-only triggers. Exit status 0 when intact, 1 at the first broken link of any
chain (the entry, its time, the expected and the found hash)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import chain, triggers
from dudao.audit.models import AuditEntry


def describe(item: chain.Break) -> str:
    at = timezone.localtime(item.at).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
    office = (
        _("office %(office)s") % {"office": item.office_id}
        if item.office_id is not None
        else _("no office")
    )
    where = _("Audit entry %(id)s (%(at)s, chain of %(office)s)") % {
        "id": item.entry_id,
        "at": at,
        "office": office,
    }
    if item.kind == "changed":
        return _(
            "%(where)s was changed after it was written: its content hashes to %(expected)s, "
            "the stored hash is %(found)s."
        ) % {"where": where, "expected": item.expected, "found": item.found}
    previous = (
        _("entry %(id)s") % {"id": item.previous_id}
        if item.previous_id is not None
        else _("the start of the chain")
    )
    return _(
        "%(where)s does not follow %(previous)s: expected prev_hash %(expected)s, found "
        "%(found)s (an entry before it was deleted, inserted or changed)."
    ) % {"where": where, "previous": previous, "expected": item.expected, "found": item.found}


class Command(BaseCommand):
    help = "Verify the audit log's hash chains and append-only triggers (exit 1 when broken)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--heads",
            action="store_true",
            help="also print each chain's newest hash as JSON (keep it elsewhere to detect "
            "removed newest entries later)",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, heads, database, **options):
        report = chain.verify(AuditEntry, database)
        problems = [describe(item) for item in report.breaks]
        if triggers.installed(database) is False:
            problems.append(
                _(
                    "The append-only triggers on %(table)s are missing or disabled: run "
                    "`manage.py migrate` to restore them."
                )
                % {"table": triggers.TABLE}
            )
        if heads:
            self.stdout.write(json.dumps(report.heads, indent=2, sort_keys=True))
        summary = _("%(entries)d entries, %(chains)d chains") % {
            "entries": report.entries,
            "chains": report.chains,
        }
        if problems:
            raise CommandError(
                "\n".join([*problems, _("%(summary)s: BROKEN") % {"summary": summary}]),
                returncode=1,
            )
        self.stdout.write(_("%(summary)s, intact") % {"summary": summary})

"""What every importer shares: the row plan, error collection, reading the file, the audit rows.

An importer (one per kind, registered in `dudao.imports.importers`) has:

- `columns` (the template, `dudao.core.spreadsheets.Column`), `notes` (the 填写说明 lines),
  `lists()` (drop-down values from the office's data) and `export_rows(queryset)`;
- `read(fileobj, filename)` → `Sheet`: the rows of the file by column key (the kernel reader);
- `plan(sheet, progress)` → `Plan`: every row parsed and checked with the owning app's
  validators (`full_clean` and the services' public checks), sorted into create / update /
  unchanged, with row errors (row number, column header, message in the user's language);
- `apply(plan, actor, progress)` → counts: writes a valid plan; the caller holds the one
  transaction (all or nothing) and `progress(done)` is called as rows are written.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.audit import services as audit
from dudao.audit.middleware import current_origin
from dudao.audit.models import AuditEntry
from dudao.core import spreadsheets
from dudao.core.errors import DomainError
from dudao.core.spreadsheets import Column, SheetError

from .. import cells
from ..cells import CellError

__all__ = ["Column", "FileError", "Importer", "Plan", "Sheet"]

PREVIEW_ROWS = 10
MAX_ERRORS = 1000
BATCH = 500

# Row errors for a value that names nothing the office has (shared by the importers).
UNKNOWN_TOWNSHIP = gettext_lazy("Unknown township “%(name)s”: it is not a township of %(county)s.")
UNKNOWN_ZONE = gettext_lazy("Unknown zone “%(name)s”; create the zone first.")
UNKNOWN_SCHOOL = gettext_lazy("Unknown school code %(code)s: no school of this office has it.")
UNKNOWN_INSPECTOR = gettext_lazy(
    "Unknown inspector: no inspector of this office has the phone %(phone)s."
)

Progress = Callable[[int], None] | None
FileError = SheetError  # the whole file is refused


@dataclass
class Sheet:
    """The data rows of an uploaded file: {key: raw value} per row with its Excel row number."""

    rows: list[tuple[int, dict]] = field(default_factory=list)


@dataclass
class Plan:
    errors: list[dict] = field(default_factory=list)
    creates: list = field(default_factory=list)  # instances (or rows to write)
    updates: list = field(default_factory=list)  # (instance, before snapshot, changed fields)
    unchanged: int = 0
    preview: list[dict] = field(default_factory=list)
    extra_updates: list = field(default_factory=list)  # side effects, e.g. ended assignments
    items: list = field(default_factory=list)  # rows applied one by one (`apply_row`)
    truncated: bool = False  # more than MAX_ERRORS errors

    @property
    def counts(self) -> dict:
        return {
            "created": len(self.creates),
            "updated": len(self.updates),
            "unchanged": self.unchanged,
        }


def check_size(size: int | None) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise spreadsheets.file_too_large(size, limit)


def iter_chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class Importer:
    kind = ""
    label = ""  # lazy, shown on the screens
    filename = ""  # the Chinese file name stem of templates and exports
    columns: list[Column] = []
    notes: list[str] = []
    allow_csv = False
    formulas = "refuse"  # formulas refuse the file ("value": their cached value is read)
    listed = True  # a card on the imports page (False: uploaded from the owning app's screen)
    max_rows: int | None = None  # below SPREADSHEET_MAX_ROWS where a kind never has more

    def __init__(self, office, params: dict | None = None):
        self.office = office
        self.params = params or {}
        self.headers = {c.key: c.header for c in self.columns}

    def detail_url(self, job) -> str:
        from django.urls import reverse

        return reverse("imports:job", args=[job.pk])

    # -- reading --

    def read(self, fileobj, filename: str = "") -> Sheet:
        rows = spreadsheets.read_table(
            fileobj,
            [c.header for c in self.columns],
            keys=[c.key for c in self.columns],
            filename=filename,
            allow_csv=self.allow_csv,
            formulas=self.formulas,
            max_rows=self.max_rows,
        )
        return Sheet(rows)

    # -- helpers shared by the kinds --

    def error(self, plan: Plan, row, key: str | None, message, code: str = "") -> None:
        if len(plan.errors) < MAX_ERRORS:
            column = self.headers.get(key, key or "") if key else ""
            entry = {"row": row, "column": column, "message": str(message)}
            if code:
                entry["code"] = code
            plan.errors.append(entry)
        else:
            plan.truncated = True

    def lookup(self, plan: Plan, row: int, key: str, mapping: dict, value, message, **params):
        """The record `value` names in `mapping`; on a miss, None and `message` (formatted with
        `params`) recorded as the row's error in column `key`."""
        found = mapping.get(value)
        if found is None:
            self.error(plan, row, key, str(message) % params)
        return found

    def convert(self, plan, number, raw: dict, converters: dict) -> dict | None:
        """Run each column's converter; report every bad cell of the row. None if any failed."""
        values, ok = {}, True
        for key, convert in converters.items():
            column = next(c for c in self.columns if c.key == key)
            value = raw.get(key)
            try:
                if column.required and cells.is_blank(value):
                    raise CellError(_("This column is required."))
                values[key] = convert(value)
            except CellError as exc:
                self.error(plan, number, key, exc.message)
                ok = False
        return values if ok else None

    def model_errors(self, plan, number, instance, exclude, constraints=True) -> bool:
        """`full_clean` as the services run it; every field message becomes a row error."""
        try:
            instance.full_clean(
                exclude=exclude, validate_unique=False, validate_constraints=constraints
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                for message in messages:
                    self.error(plan, number, None if key == "__all__" else key, message)
            return False
        return True

    def domain_error(self, plan, number, exc: DomainError) -> None:
        self.error(plan, number, exc.field, exc.message)

    def fill(self, existing, model, fields: list[str], values: dict, skip=()):
        """The row's record: the `existing` one of this office (with its snapshot for the
        audit) or a new `model`, its plain `fields` set from the row's `values` (those in
        `skip` are relations the importer sets itself). Returns (instance, before)."""
        before = None
        if existing is not None:
            existing.office = self.office
            before = audit.snapshot(existing)
            instance = existing
        else:
            instance = model(office=self.office)
        for key in fields:
            if key not in skip:
                setattr(instance, key, values[key])
        return instance, before

    def write_updates(self, model, plan, bar, prepare=None) -> None:
        """Bulk-save the planned updates, each with `updated_at` now and only the changed
        fields; `prepare(instance)` runs on each first (e.g. to refresh a relation)."""
        if not plan.updates:
            return
        now = timezone.now()
        fields = {"updated_at"}
        for instance, _before, changed in plan.updates:
            if prepare is not None:
                prepare(instance)
            instance.updated_at = now
            fields.update(changed)
        for chunk in iter_chunks(plan.updates):
            model.objects.unscoped().bulk_update([u[0] for u in chunk], sorted(fields))
            bar.step(len(chunk))

    def classify(self, plan, number, instance, before: dict | None, fields: list[str]):
        if before is None:
            plan.creates.append(instance)
            action = "create"
        else:
            after = audit.snapshot(instance)
            changed = [f for f in fields if before.get(f) != after.get(f)]
            if changed:
                plan.updates.append((instance, before, changed))
                action = "update"
            else:
                plan.unchanged += 1
                action = "unchanged"
        self.preview(plan, number, action, self.describe(instance))

    def preview(self, plan, number, action, label) -> None:
        if len(plan.preview) < PREVIEW_ROWS:
            plan.preview.append({"row": number, "action": action, "label": label})

    def describe(self, instance) -> str:
        return str(instance)

    # -- the steps --

    def plan(self, sheet: Sheet, progress: Progress = None) -> Plan:
        raise NotImplementedError

    def apply(self, plan: Plan, actor, progress: Progress = None) -> dict:
        """Write the plan; by default row by row with `apply_row` (returning "created",
        "updated" or "unchanged"), reporting progress after each."""
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for done, item in enumerate(plan.items, start=1):
            counts[self.apply_row(item, actor)] += 1
            if progress:
                progress(done, len(plan.items))
        return counts

    def apply_row(self, item, actor) -> str:
        raise NotImplementedError

    def lists(self) -> dict[str, list[str]]:
        return {}

    def export_rows(self, queryset) -> list[list]:
        raise NotImplementedError

    # -- audit in bulk: the same entries as audit.record_create / record_update --

    def audit_entries(self, actor, plan: Plan, office_id, creates=None, updates=None):
        ip, user_agent = current_origin()
        base = {
            "actor": actor if getattr(actor, "pk", None) else None,
            "actor_name": str(actor) if actor is not None else "",
            "office_id": office_id,
            "ip": ip,
            "user_agent": user_agent,
        }
        creates = plan.creates if creates is None else creates
        updates = [*plan.updates, *plan.extra_updates] if updates is None else updates
        entries = [
            self._entry(base, AuditEntry.Action.CREATE, obj, {"after": audit.snapshot(obj)})
            for obj in creates
        ]
        for obj, before, _changed in updates:
            changes = audit.diff(before, audit.snapshot(obj))
            if changes:
                entries.append(self._entry(base, AuditEntry.Action.UPDATE, obj, changes))
        return entries

    @staticmethod
    def _entry(base, action, obj: Model, changes) -> AuditEntry:
        return AuditEntry(
            **base,
            action=action,
            target_type=obj._meta.label,
            target_id=str(obj.pk),
            target_repr=str(obj)[:200],
            changes=changes,
        )


class BulkProgress:
    """Progress for bulk writes: `step(n)` after writing n more rows of `total`."""

    def __init__(self, progress: Progress, total: int):
        self.progress, self.total, self.done = progress, max(total, 1), 0

    def step(self, n: int) -> None:
        self.done = min(self.total, self.done + n)
        if self.progress:
            self.progress(self.done, self.total)


def yes_no(value: bool) -> str:
    return "是" if value else "否"


def safe_digits(raw) -> str:
    try:
        return cells.digits(raw)
    except CellError:
        return ""


def tick(progress: Progress, index: int):
    if progress and index and index % BATCH == 0:
        progress(index)

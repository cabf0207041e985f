"""`dudao campaigns draw …`: the 双随机 draw on plain files, offline (docs/rules.md §21).

    dudao campaigns draw --schools schools.csv --inspectors inspectors.csv
                         [--conflicts conflicts.csv] (--count N | --percent P)
                         [--strata zone|type] [--team-size K] [--exclude-own]
                         --seed S [--format json] [--output PATH] [--lang zh-hans|en]

The files (CSV in UTF-8 with or without BOM, or GB18030, or XLSX), a header row first, the
columns in any order:
    schools     code,name,type,zone,responsible_inspector
    inspectors  id,name,employer_school_code
    conflicts   inspector_id,school_code

Output: {"seed": S, "targets": [{"school": code, "inspectors": [id, …]}, …]}, the very result
of `dudao.campaigns.draw.draw` (the web app calls the same function). A refused run (a
malformed file: every error with its file, row and column; an impossible request) writes its
messages to stderr and exits with code 2; nothing is drawn. Messages are in Chinese unless
--lang en. Schools left out of the draw (no team can be formed there) are listed on stderr.

`dudao/cli.py` sends `dudao campaigns …` here without the project's settings: `main` sets up
the offline settings (no SECRET_KEY, no database, no apps) and runs `Command`. Import nothing
here that needs the project's settings.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from dudao.campaigns.draw import (
    DrawError,
    InspectorRow,
    SchoolRow,
    draw,
    parse_count,
    parse_percent,
    parse_team_size,
)
from dudao.core.spreadsheets import SheetError, cell_text, read_table

SCHOOL_HEADERS = ("code", "name", "type", "zone", "responsible_inspector")
INSPECTOR_HEADERS = ("id", "name", "employer_school_code")
CONFLICT_HEADERS = ("inspector_id", "school_code")


class DrawRefused(CommandError):
    """A refused run (exit code 2); `errors` holds the messages (also written to stderr)."""

    def __init__(self, message, errors=()):
        super().__init__(message, returncode=2)
        self.errors = list(errors)


class Inputs:
    """The three files read and checked; every problem is collected in `errors`."""

    def __init__(self):
        self.errors: list[str] = []
        self.schools: list[SchoolRow] = []
        self.inspectors: list[InspectorRow] = []
        self.conflicts: set[tuple[str, str]] = set()

    def error(self, path, row, column, message):
        self.errors.append(
            _("%(file)s, row %(row)s, column “%(column)s”: %(message)s")
            % {"file": path, "row": row, "column": column, "message": message}
        )

    def table(self, path, headers):
        if not Path(path).is_file():
            self.errors.append(_("No such file: %(path)s") % {"path": path})
            return []
        try:
            rows = read_table(path, headers, allow_csv=True)
        except SheetError as exc:
            self.errors.append(_("%(file)s: %(message)s") % {"file": path, "message": exc.message})
            return []
        return [(number, {k: cell_text(v) for k, v in record.items()}) for number, record in rows]

    def required(self, path, number, record, column):
        value = record[column]
        if not value:
            self.error(path, number, column, _("This column is required."))
        return value

    def read(self, schools_path, inspectors_path, conflicts_path):
        rows: dict[str, int] = {}
        for number, record in self.table(schools_path, SCHOOL_HEADERS):
            code = self.required(schools_path, number, record, "code")
            if not code:
                continue
            if code in rows:
                self.error(
                    schools_path,
                    number,
                    "code",
                    _("The code %(code)s is also on row %(row)s.")
                    % {"code": code, "row": rows[code]},
                )
                continue
            rows[code] = number
            self.schools.append(SchoolRow(**record))
        ids: dict[str, int] = {}
        for number, record in self.table(inspectors_path, INSPECTOR_HEADERS):
            inspector = self.required(inspectors_path, number, record, "id")
            if not inspector:
                continue
            if inspector in ids:
                self.error(
                    inspectors_path,
                    number,
                    "id",
                    _("The id %(id)s is also on row %(row)s.")
                    % {"id": inspector, "row": ids[inspector]},
                )
                continue
            ids[inspector] = number
            self.inspectors.append(InspectorRow(**record))
        if not conflicts_path:
            return
        read_ok = not self.errors  # unknown ids mean nothing when the lists were refused
        for number, record in self.table(conflicts_path, CONFLICT_HEADERS):
            inspector = self.required(conflicts_path, number, record, "inspector_id")
            code = self.required(conflicts_path, number, record, "school_code")
            if read_ok and inspector and inspector not in ids:
                self.error(
                    conflicts_path,
                    number,
                    "inspector_id",
                    _("Unknown inspector id %(id)s: it is not in %(file)s.")
                    % {"id": inspector, "file": inspectors_path},
                )
            if read_ok and code and code not in rows:
                self.error(
                    conflicts_path,
                    number,
                    "school_code",
                    _("Unknown school code %(code)s: it is not in %(file)s.")
                    % {"code": code, "file": schools_path},
                )
            if inspector and code:
                self.conflicts.add((inspector, code))


class Command(BaseCommand):
    help = "Special supervision campaigns offline: the 双随机 draw on plain files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lang", default="zh-hans", help="language of messages: zh-hans (default) or en"
        )
        sub = parser.add_subparsers(dest="action", required=True, metavar="{draw}")
        d = sub.add_parser("draw", help="draw the targets and the teams (docs/rules.md §21)")
        d.add_argument("--schools", required=True, help="code,name,type,zone,responsible_inspector")
        d.add_argument("--inspectors", required=True, help="id,name,employer_school_code")
        d.add_argument("--conflicts", help="inspector_id,school_code (recusal, 回避)")
        how = d.add_mutually_exclusive_group(required=True)
        how.add_argument("--count", help="the number of schools to draw")
        how.add_argument("--percent", help="the percentage of schools, rounded half up")
        d.add_argument("--strata", choices=("zone", "type"), help="largest-remainder shares")
        d.add_argument("--team-size", default="0", help="inspectors per school (default 0)")
        d.add_argument(
            "--exclude-own",
            action="store_true",
            help="never a school's own responsible inspector",
        )
        d.add_argument("--seed", required=True, help="the recorded seed (text)")
        d.add_argument("--format", choices=("json",), default="json")
        d.add_argument("--output", help="the output file (default: standard output)")
        d.add_argument("--lang", dest="sub_lang", default=None, help="as --lang")

    def handle(self, *args, action, **options):
        language = options.get("sub_lang") or options.get("lang") or "zh-hans"
        with translation.override(language):
            return self.draw(**options)

    def _refuse(self, errors, summary):
        for error in errors:
            self.stderr.write(str(error))
        raise DrawRefused(summary, errors)

    def draw(self, *, schools, inspectors, conflicts, seed, output, **options):
        errors = []
        params = {}
        # The numbers first: a mistyped count is reported with the files' errors.
        for name, parse in (
            ("count", parse_count),
            ("percent", parse_percent),
            ("team_size", parse_team_size),
        ):
            if options.get(name) is not None:
                try:
                    params[name] = parse(options[name])
                except DrawError as exc:
                    errors.append(f"--{name.replace('_', '-')}: {exc}")
        inputs = Inputs()
        inputs.read(schools, inspectors, conflicts)
        errors += inputs.errors
        if errors:
            self._refuse(
                errors,
                _("The input has %(count)s error(s); nothing was drawn.") % {"count": len(errors)},
            )
        try:
            result = draw(
                inputs.schools,
                inputs.inspectors,
                inputs.conflicts,
                seed=seed,
                strata=options.get("strata"),
                exclude_own=options.get("exclude_own", False),
                **params,
            )
        except DrawError as exc:
            raise DrawRefused(str(exc), [str(exc)]) from None
        names = {s.code: s.name for s in inputs.schools}
        for code in result.left_out:
            self.stderr.write(
                _("Left out: %(code)s %(name)s, fewer than %(team)s inspectors free of conflict.")
                % {"code": code, "name": names[code], "team": result.team_size}
            )
        text = result.to_json()
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(_("Wrote %(path)s.") % {"path": output})
        else:
            self.stdout.write(text)


def main(argv):
    """Run `argv` (["dudao", "campaigns", …]) offline: the settings of `dudao monitoring`'s
    offline run (translations, no database, no apps), then `Command`."""
    from dudao.monitoring.cli import configure

    configure()
    Command().run_from_argv(argv)

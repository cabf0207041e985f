"""`dudao monitoring …`: balanced-development monitoring without the web UI.

    dudao monitoring evaluate --input FILE --year 2025 [--rules basic-2012|quality-2017|PATH]
                              [--format json|xlsx] [--output PATH] [--lang zh-hans|en]
    dudao monitoring template --output 均衡发展监测模板.xlsx
    dudao monitoring rules basic-2012          # print a rule set's JSON (to copy and edit)

Bad input: every error (row, column, problem) goes to stderr and the exit code is 1; nothing is
computed. The messages are in Chinese unless --lang en.

`dudao monitoring` runs this command without the project's settings (dudao/monitoring/cli.py):
import nothing here that needs them (models, settings values at import time)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from dudao.monitoring.engine import evaluate
from dudao.monitoring.export import write_xlsx
from dudao.monitoring.inputs import InputRefused, load_schools, write_template
from dudao.monitoring.rules import BUILTIN, RuleSetError, load_ruleset


class MonitoringError(CommandError):
    """A refused run; `errors` holds the messages (also written to stderr)."""

    def __init__(self, message, errors=()):
        super().__init__(message)
        self.errors = list(errors)


class Command(BaseCommand):
    help = "Balanced-development monitoring: evaluate school resource data against a rule set."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lang", default="zh-hans", help="language of messages: zh-hans (default) or en"
        )
        sub = parser.add_subparsers(
            dest="action", required=True, metavar="{evaluate,template,rules}"
        )
        ev = sub.add_parser("evaluate", help="compute the CVs and the conclusion for one year")
        ev.add_argument("--input", required=True, help="the XLSX template or a CSV file")
        ev.add_argument("--year", required=True, type=int, help="the school year, e.g. 2025")
        ev.add_argument(
            "--rules",
            default="basic-2012",
            help=f"a built-in rule set ({', '.join(BUILTIN)}) or the path of a JSON rule set",
        )
        ev.add_argument("--format", choices=("json", "xlsx"), default="json")
        ev.add_argument("--output", help="the output file (JSON: default standard output)")
        ev.add_argument("--lang", dest="sub_lang", default=None, help="as --lang")
        tpl = sub.add_parser("template", help="write the empty XLSX template")
        tpl.add_argument("--output", default="均衡发展监测模板.xlsx")
        tpl.add_argument("--lang", dest="sub_lang", default=None, help="as --lang")
        rules = sub.add_parser("rules", help="print a rule set as JSON")
        rules.add_argument("name", nargs="?", default="basic-2012")
        rules.add_argument("--lang", dest="sub_lang", default=None, help="as --lang")

    def handle(self, *args, action, **options):
        language = options.get("sub_lang") or options.get("lang") or "zh-hans"
        with translation.override(language):
            if action == "evaluate":
                return self.evaluate(**options)
            if action == "template":
                path = write_template(options["output"])
                self.stdout.write(_("Wrote the template to %(path)s.") % {"path": path})
                return None
            return self.print_rules(options["name"])

    def _refuse(self, errors, summary):
        for error in errors:
            self.stderr.write(str(error))
        raise MonitoringError(summary, [str(e) for e in errors])

    def print_rules(self, name):
        try:
            ruleset = load_ruleset(name)
        except RuleSetError as exc:
            self._refuse(exc.errors, _("The rule set cannot be used."))
        self.stdout.write(ruleset.to_json())

    def evaluate(self, *, input, year, rules, format, output, **options):
        try:
            ruleset = load_ruleset(rules)
        except RuleSetError as exc:
            self._refuse(exc.errors, _("The rule set cannot be used."))
        if not Path(input).is_file():
            raise MonitoringError(_("No such file: %(path)s") % {"path": input})
        try:
            data = load_schools(input, ruleset)
        except InputRefused as exc:
            self._refuse(
                exc.errors,
                _("The input has %(count)s error(s); nothing was computed.")
                % {"count": len(exc.errors)},
            )
        result = evaluate(data, ruleset, year)
        for exclusion in result.excluded:
            self.stderr.write(
                _("Excluded: row %(row)s, %(code)s %(name)s: %(reason)s")
                % {
                    "row": exclusion.row,
                    "code": exclusion.code,
                    "name": exclusion.name,
                    "reason": exclusion.reason,
                }
            )
        if format == "xlsx":
            path = Path(output or f"monitoring-{year}-{ruleset.name}.xlsx")
            write_xlsx(result, path)
            self.stdout.write(_("Wrote %(path)s.") % {"path": path})
            return None
        text = result.to_json(indent=2 if len(data) <= 2000 else None)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(_("Wrote %(path)s.") % {"path": output})
        else:
            self.stdout.write(text)
        return None

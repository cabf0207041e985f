"""`dudao evaluation score …`: supervision evaluation scores combined offline, with the very
engine of the web app (dudao/evaluations/engine, docs/evaluation.md).

    dudao evaluation score --framework framework.csv|xlsx --scores scores.csv|xlsx
                           [--weights "expert=0.6,self=0.2,peer=0.2"]
                           [--grades "优秀=90,良好=80,合格=60"] [--format json] [--details]
                           [--disagreement 0.3] [--output PATH] [--lang zh-hans|en]

The files (CSV in UTF-8 with or without BOM, or GB18030, or XLSX), a header row first, the
columns in any order:
    framework  code,parent,title,max_score,method,levels  (optional: guide,evidence,formula)
    scores     target,rater,group,code,value               (optional: comment)

Output: {"targets": [{"target", "total", "max", "grade", "vetoed", "indicators": {code:
score}}, …]} in the order the targets first appear in the scores; `--details` adds each
group's scores, the missing leaves, the veto answers and the disagreements. A refused run (a
malformed file: every error with its file, row and column; a bad option) writes its messages to
stderr and exits with code 2; nothing is scored. Messages are in Chinese unless --lang en.

`dudao/cli.py` sends `dudao evaluation …` here without the project's settings: `main` sets up
the offline settings (no SECRET_KEY, no database, no apps) and runs `Command`. Import nothing
here that needs the project's settings.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from dudao.evaluations.engine import (
    DISAGREEMENT,
    EngineError,
    FrameworkInvalid,
    ScoresInvalid,
    parse_disagreement,
    parse_grades,
    parse_weights,
    read_framework_file,
    read_scores_file,
    results_to_json,
    score_targets,
)


class ScoreRefused(CommandError):
    """A refused run (exit code 2); `errors` holds the messages (also written to stderr)."""

    def __init__(self, message, errors=()):
        super().__init__(message, returncode=2)
        self.errors = list(errors)


def located(path, error) -> str:
    """A RowError of the file `path` as one line: file, row and column first."""
    if error.row is None:
        return _("%(file)s: %(message)s") % {"file": path, "message": error.message}
    return _("%(file)s, row %(row)s, column “%(column)s”: %(message)s") % {
        "file": path,
        "row": error.row,
        "column": error.column,
        "message": error.message,
    }


class Command(BaseCommand):
    help = "Supervision evaluation offline: scores combined as docs/evaluation.md describes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--lang", default="zh-hans", help="language of messages: zh-hans (default) or en"
        )
        sub = parser.add_subparsers(dest="action", required=True, metavar="{score}")
        s = sub.add_parser("score", help="combine the raters' scores (docs/evaluation.md)")
        s.add_argument(
            "--framework", required=True, help="code,parent,title,max_score,method,levels"
        )
        s.add_argument("--scores", required=True, help="target,rater,group,code,value")
        s.add_argument("--weights", help='weights of the rater groups, "expert=0.6,self=0.4"')
        s.add_argument(
            "--grades", help='grade thresholds in %% of the maximum, "优秀=90,良好=80,合格=60"'
        )
        s.add_argument("--format", choices=("json",), default="json")
        s.add_argument(
            "--details",
            action="store_true",
            help="add each group's scores, missing leaves, veto answers, disagreements",
        )
        s.add_argument(
            "--disagreement",
            default=str(DISAGREEMENT),
            help="flag a spread above this share of a leaf's maximum (default 0.3)",
        )
        s.add_argument("--output", help="the output file (default: standard output)")
        s.add_argument("--lang", dest="sub_lang", default=None, help="as --lang")

    def handle(self, *args, action, **options):
        language = options.get("sub_lang") or options.get("lang") or "zh-hans"
        with translation.override(language):
            return self.score(**options)

    def _refuse(self, errors):
        for error in errors:
            self.stderr.write(str(error))
        raise ScoreRefused(
            _("The input has %(count)s error(s); nothing was scored.") % {"count": len(errors)},
            errors,
        )

    def score(self, *, framework, scores, weights, grades, output, details, **options):
        errors = []
        params = {}
        # The options first: a mistyped weight is reported with the files' errors.
        for name, parse, text in (
            ("weights", parse_weights, weights),
            ("grades", parse_grades, grades),
            ("disagreement", parse_disagreement, options.get("disagreement")),
        ):
            if text is not None:
                try:
                    params[name] = parse(text)
                except EngineError as exc:
                    errors.append(f"--{name}: {exc}")
        missing = False
        for path in (framework, scores):
            if not Path(path).is_file():
                errors.append(_("No such file: %(path)s") % {"path": path})
                missing = True
        if missing:
            self._refuse(errors)
        try:
            spec = read_framework_file(framework)
        except FrameworkInvalid as exc:
            errors += [located(framework, error) for error in exc.errors]
            self._refuse(errors)
        try:
            entries = read_scores_file(scores, spec)
        except ScoresInvalid as exc:
            errors += [located(scores, error) for error in exc.errors]
        if errors:
            self._refuse(errors)
        try:
            results = score_targets(spec, entries, **params)
        except EngineError as exc:
            self._refuse([f"--weights: {exc}" if exc.code == "weights_missing" else str(exc)])
        text = results_to_json(results, details=details)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stdout.write(_("Wrote %(path)s.") % {"path": output})
        else:
            self.stdout.write(text)


def main(argv):
    """Run `argv` (["dudao", "evaluation", …]) offline: the settings of `dudao monitoring`'s
    offline run (translations, no database, no apps), then `Command`."""
    from dudao.monitoring.cli import configure

    configure()
    Command().run_from_argv(argv)

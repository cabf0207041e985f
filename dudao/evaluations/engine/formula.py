"""Formula indicators: a safe arithmetic expression over numbers the raters enter
(docs/evaluation.md, "Formula items").

    f = compile_formula("min(1, teachers / (pupils / 19)) * 10")
    f.names                                       # ("teachers", "pupils")
    f.evaluate({"teachers": 20, "pupils": 400})   # Fraction(10, 1)

The expression is parsed with `ast` and only these nodes are accepted: numbers, names, the
operators + - * / (and unary + -), parentheses, and calls of `min(a, b, …)`, `max(a, b, …)`,
`round(x)` and `round(x, n)` (half up, n from 0 to 6). Nothing is ever `eval`ed. Arithmetic is
exact (fractions): the same numbers give the same result in any language that does exact
arithmetic. A refused formula or a division by zero raises `FormulaError`.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import lru_cache
from math import floor

MAX_LENGTH = 500  # characters of a formula
MAX_NODES = 200  # parsed elements of a formula
MAX_ROUND_DIGITS = 6
MAX_MAGNITUDE = 30  # numbers from 1e-30 to 1e30 (and 0)
FUNCTIONS = ("min", "max", "round")


def gettext_noop(message: str) -> str:
    """Marks a msgid for `makemessages`; the text is translated when it is shown (`_`)."""
    return message


def _(message: str) -> str:
    """gettext when Django's settings are configured (a request, the offline command), the
    English text otherwise: the engine imports nothing from Django at load time."""
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency of the project
        return message
    if not settings.configured:
        return message
    from django.core.exceptions import AppRegistryNotReady
    from django.utils.translation import gettext

    try:
        return gettext(message)
    except AppRegistryNotReady:  # settings configured, django.setup() not run yet
        return message


class Text:
    """A message translated when it is shown (`str()`), in the language active then."""

    def __init__(self, template: str, /, **params):
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return _(self.template) % self.params if self.params else _(self.template)

    def __repr__(self) -> str:
        return f"Text({self.template!r})"


class EngineError(ValueError):
    """A refusal of the evaluation engine: `code` for programs, `template` (an English msgid)
    and `params` for the message, which `str()` gives translated where Django's translations
    are set up."""

    def __init__(self, code: str, template: str, /, **params):
        self.code = code
        self.template = template
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return _(self.template) % self.params

    def __str__(self) -> str:
        return self.message


class FormulaError(EngineError):
    """A formula that cannot be used, or numbers it cannot be computed with."""


def round_half_up(value: Fraction, digits: int = 0) -> Fraction:
    """`value` rounded to `digits` decimals, halves away from zero (ROUND_HALF_UP)."""
    scale = Fraction(10) ** digits
    magnitude = Fraction(floor(abs(value) * scale + Fraction(1, 2))) / scale
    return magnitude if value >= 0 else -magnitude


def to_decimal_number(text: str) -> Decimal:
    """A finite decimal number written in text ("12", "0.5", "-3", "1e2"); ValueError
    otherwise: NaN, infinities, and magnitudes beyond 10^±MAX_MAGNITUDE (1e999999999 would
    take the memory of the machine as an exact fraction)."""
    try:
        number = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite() or (number and abs(number.adjusted()) > MAX_MAGNITUDE):
        raise ValueError(text)
    return number


def to_fraction(text: str) -> Fraction:
    """`to_decimal_number(text)` as an exact fraction; ValueError otherwise."""
    return Fraction(to_decimal_number(text))


def _bad(formula: str, detail: str, **params) -> FormulaError:
    return FormulaError(
        "formula",
        gettext_noop("The formula “%(formula)s” cannot be used: %(detail)s"),
        formula=formula,
        detail=Text(detail, **params),
    )


ONLY = gettext_noop("only numbers, names, + - * /, min, max and round.")
LATIN = gettext_noop("write it in Latin letters, digits and + - * / ( ) , . _ only.")


class _Checker:
    """Walks the parsed expression, refusing anything outside the whitelist."""

    def __init__(self, text: str):
        self.text = text
        self.names: list[str] = []
        self.nodes = 0

    def check(self, node: ast.AST) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _bad(self.text, gettext_noop("it is too long."))
        if isinstance(node, ast.Constant):
            if type(node.value) not in (int, float):
                raise _bad(self.text, ONLY)
            try:
                to_fraction(ast.get_source_segment(self.text, node) or "")
            except ValueError:
                raise _bad(
                    self.text,
                    gettext_noop("%(number)s is not a decimal number."),
                    number=ast.get_source_segment(self.text, node),
                ) from None
        elif isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise _bad(
                    self.text, gettext_noop("%(name)s is a function, not a number."), name=node.id
                )
            if node.id not in self.names:
                self.names.append(node.id)
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
                raise _bad(self.text, ONLY)
            self.check(node.left)
            self.check(node.right)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.UAdd, ast.USub)):
                raise _bad(self.text, ONLY)
            self.check(node.operand)
        elif isinstance(node, ast.Call):
            self.check_call(node)
        else:
            raise _bad(self.text, ONLY)

    def check_call(self, node: ast.Call) -> None:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            raise _bad(self.text, gettext_noop("the only functions are min, max and round."))
        name = node.func.id
        if node.keywords or any(isinstance(arg, ast.Starred) for arg in node.args):
            raise _bad(
                self.text, gettext_noop("give a function its numbers in order, nothing else.")
            )
        if name in ("min", "max") and len(node.args) < 2:
            raise _bad(self.text, gettext_noop("%(name)s needs two numbers or more."), name=name)
        if name == "round":
            if len(node.args) not in (1, 2):
                raise _bad(
                    self.text, gettext_noop("round takes a number and, optionally, its decimals.")
                )
            if len(node.args) == 2:
                digits = node.args[1]
                if not (
                    isinstance(digits, ast.Constant)
                    and type(digits.value) is int
                    and 0 <= digits.value <= MAX_ROUND_DIGITS
                ):
                    raise _bad(
                        self.text,
                        gettext_noop("round's decimals must be a whole number from 0 to %(max)s."),
                        max=MAX_ROUND_DIGITS,
                    )
        for arg in node.args:
            self.check(arg)


@dataclass(frozen=True)
class Formula:
    """A checked formula: its text, the names it reads (in order of first appearance)."""

    text: str
    names: tuple[str, ...]
    tree: ast.Expression

    def evaluate(self, values: Mapping[str, object]) -> Fraction:
        """The exact value with `values` (numbers, or texts of numbers) for every name.
        FormulaError for a missing name or a division by zero."""
        numbers = {}
        for name in self.names:
            if name not in values:
                raise FormulaError(
                    "formula_name",
                    gettext_noop("The formula “%(formula)s” needs a number for %(name)s."),
                    formula=self.text,
                    name=name,
                )
            value = values[name]
            numbers[name] = value if isinstance(value, Fraction) else to_fraction(str(value))
        return self._value(self.tree.body, numbers)

    def _value(self, node, numbers) -> Fraction:
        if isinstance(node, ast.Constant):
            segment = ast.get_source_segment(self.text, node)
            return to_fraction(segment if segment is not None else repr(node.value))
        if isinstance(node, ast.Name):
            return numbers[node.id]
        if isinstance(node, ast.UnaryOp):
            value = self._value(node.operand, numbers)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp):
            left = self._value(node.left, numbers)
            right = self._value(node.right, numbers)
            if isinstance(node.op, ast.Add):
                return left + right
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
            if right == 0:
                raise FormulaError(
                    "formula_zero",
                    gettext_noop("The formula “%(formula)s” divides by zero with these numbers."),
                    formula=self.text,
                )
            return left / right
        # A call (the only node left after the check).
        args = [self._value(arg, numbers) for arg in node.args]
        if node.func.id == "min":
            return min(args)
        if node.func.id == "max":
            return max(args)
        return round_half_up(args[0], int(args[1]) if len(args) == 2 else 0)


@lru_cache(maxsize=1024)
def compile_formula(text: str) -> Formula:
    """The checked formula of `text`; FormulaError says what is wrong with it."""
    text = (text or "").strip()
    if not text:
        raise _bad(text, gettext_noop("it is empty."))
    if len(text) > MAX_LENGTH:
        raise _bad(text[:40] + "…", gettext_noop("it is too long."))
    if not text.isascii():
        raise _bad(text, LATIN)
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise _bad(text, gettext_noop("it is not an arithmetic expression.")) from None
    checker = _Checker(text)
    try:
        checker.check(tree.body)
    except RecursionError:
        raise _bad(text, gettext_noop("it is too long.")) from None
    return Formula(text=text, names=tuple(checker.names), tree=tree)

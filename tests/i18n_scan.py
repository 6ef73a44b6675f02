"""Finding user-facing string literals in hwb_tui/ that are not marked for translation.

Pragmatic, not complete: it looks where user-facing text is written in this code base —
exceptions a user is shown, messages printed for the user, notifications, widget labels,
binding descriptions, argparse help — and reports any literal with words in it that is not
wrapped in `_()`, `ngettext()` or `N_()`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "hwb_tui"

MARKERS = frozenset({"_", "N_", "ngettext"})
# Errors whose message reaches the user (the domain's, the CLI's usage error, and ValueError,
# which parse functions raise for the caller to show).
USER_ERRORS = frozenset(
    {
        "HwbError",
        "PermissionDenied",
        "NotFound",
        "PasswordUnavailable",
        "InvalidInput",
        "PolicyViolation",
        "AuthenticationFailed",
        "KeyProblem",
        "StoreProblem",
        "SignInThrottled",
        "UsageError",
        "ValueError",
    }
)
# Calls whose first positional argument is shown to the user.
SHOWN_FIRST_ARGUMENT = frozenset(
    {
        "notify",
        "Label",
        "Static",
        "Button",
        "Checkbox",
        "RadioButton",
        "Switch",
        "Header",
        "Rule",
        "Option",
        "ListItem",
        "TabPane",
        "Tab",
        "Collapsible",
        "update",
        "confirm",
        "warn",
        "say",
    }
)
# Keyword arguments that are shown to the user, whatever the call.
SHOWN_KEYWORDS = frozenset(
    {
        "help",
        "description",
        "title",
        "sub_title",
        "tooltip",
        "placeholder",
        "label",
        "prompt",
        "message",
        "border_title",
        "border_subtitle",
    }
)
# Calls that pass their first argument on to the screen unchanged in language.
TEXT_WRAPPERS = frozenset({"Content", "Text", "safe_text", "from_markup"})
# Literals that are shown but are not language: key names, symbols, format-only text.
NOT_LANGUAGE = re.compile(r"^[\W\d_]*$|^(ctrl|shift|alt|f\d+|escape|enter|tab)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    path: Path
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.path.relative_to(PACKAGE.parent)}:{self.line}: {self.text!r}"


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def literal_text(node: ast.AST) -> str | None:
    """The words of a str literal or f-string (placeholders as {}), or None if it is neither."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    return None


def _has_words(text: str) -> bool:
    words = re.sub(r"\{[^}]*\}", "", text)
    return not NOT_LANGUAGE.match(words.strip()) and bool(re.search(r"[A-Za-z]{2}", words))


def shown_arguments(node: ast.AST) -> Iterator[ast.AST]:
    """The arguments of one node that a user reads."""
    if (
        isinstance(node, ast.Raise)
        and isinstance(node.exc, ast.Call)
        and _call_name(node.exc) in USER_ERRORS
        and node.exc.args
    ):
        yield node.exc.args[0]
    if not isinstance(node, ast.Call):
        return
    name = _call_name(node)
    if name in SHOWN_FIRST_ARGUMENT and node.args:
        yield node.args[0]
    if name == "Binding" and len(node.args) >= 3:
        yield node.args[2]
    if name == "print":
        yield from node.args
    for keyword in node.keywords:
        if keyword.arg in SHOWN_KEYWORDS:
            yield keyword.value


def _pieces(argument: ast.AST) -> Iterator[ast.AST]:
    """The literals an argument is built from: through `+`, `x if c else y`, `.format()` and
    the wrappers that only carry text to the screen (Content, Text, safe_text)."""
    if isinstance(argument, ast.BinOp) and isinstance(argument.op, ast.Add):
        yield from _pieces(argument.left)
        yield from _pieces(argument.right)
    elif isinstance(argument, ast.IfExp):
        yield from _pieces(argument.body)
        yield from _pieces(argument.orelse)
    elif (
        isinstance(argument, ast.Call)
        and isinstance(argument.func, ast.Attribute)
        and argument.func.attr == "format"
    ):
        yield from _pieces(argument.func.value)
    elif isinstance(argument, ast.Call) and _call_name(argument) in TEXT_WRAPPERS and argument.args:
        yield from _pieces(argument.args[0])
    else:
        yield argument


def unmarked_in(path: Path) -> Iterator[Finding]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        for argument in shown_arguments(node):
            for piece in _pieces(argument):
                text = literal_text(piece)
                if text is not None and _has_words(text):
                    yield Finding(path, piece.lineno, text)


def unmarked_literals(package: Path = PACKAGE) -> list[Finding]:
    return [finding for path in sorted(package.rglob("*.py")) for finding in unmarked_in(path)]


def formatted_marks(package: Path = PACKAGE) -> list[Finding]:
    """`_(f"…")`: an f-string is filled in before the lookup, so it can never be translated."""
    findings = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _call_name(node) in MARKERS
                and node.args
                and isinstance(node.args[0], ast.JoinedStr)
            ):
                findings.append(Finding(path, node.lineno, literal_text(node.args[0]) or ""))
    return findings

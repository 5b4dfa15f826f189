"""The error tree: errors.py's docstring draws exactly the classes it defines, and the base is never raised."""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pipeline
from pipeline import errors

PIPELINE_DIR = Path(pipeline.__file__).parent
# A tree line: box-drawing prefix (four columns per level), the class name, then its description.
_TREE_LINE = re.compile(r"^(?P<prefix>[│├└─ ]*)(?P<name>[A-Z]\w*Error)\s")


def _docstring_tree() -> dict[str, str | None]:
    """Each class named in the docstring's tree, mapped to its parent there (None for the root)."""
    block = (errors.__doc__ or "").split("::", 1)[1].split("\n\n", 2)[1]
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in textwrap.dedent(block).splitlines():
        match = _TREE_LINE.match(line)
        assert match, f"not a tree line: {line!r}"
        depth = len(match["prefix"]) // 4
        del stack[depth:]
        parents[match["name"]] = stack[-1] if stack else None
        stack.append(match["name"])
    return parents


def _defined_tree() -> dict[str, str | None]:
    """Each exception class errors.py defines, mapped to its parent (None for the root)."""
    tree: dict[str, str | None] = {}
    for name, obj in vars(errors).items():
        if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == errors.__name__:
            base = obj.__bases__[0]
            tree[name] = base.__name__ if base.__module__ == errors.__name__ else None
    return tree


def _parsed_modules() -> Iterator[tuple[str, ast.Module]]:
    """Every module under pipeline/, by its path relative to the package, parsed."""
    for path in sorted(PIPELINE_DIR.rglob("*.py")):
        yield str(path.relative_to(PIPELINE_DIR)), ast.parse(path.read_text(encoding="utf-8"))


def test_docstring_tree_is_exactly_the_classes_defined() -> None:
    assert _docstring_tree() == _defined_tree()


def test_docstring_tree_reads_a_nested_child() -> None:
    # Guards the parser itself: a wrong depth would silently hang children off the root.
    tree = _docstring_tree()
    assert tree["PipelineError"] is None
    assert tree["BlockedError"] == "FetchError"
    assert tree["ConfigError"] == "PipelineError"


def test_every_project_exception_lives_in_errors_py() -> None:
    elsewhere = []
    for name, module in _parsed_modules():
        if name == "errors.py":
            continue
        for node in ast.walk(module):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id.endswith("Error") or b.id == "Exception") for b in node.bases
            ):
                elsewhere.append(f"{name}:{node.lineno} {node.name}")
    assert elsewhere == []


def test_no_code_raises_the_base_pipeline_error() -> None:
    offenders = []
    for name, module in _parsed_modules():
        for node in ast.walk(module):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            raised = exc.attr if isinstance(exc, ast.Attribute) else getattr(exc, "id", None)
            if raised == "PipelineError":
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []

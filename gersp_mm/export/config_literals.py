# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The literal values of a Python config's text, read without executing it.

Training checkpoints keep their config as text. That text is Python, but executing it would run code from a
file; it is parsed instead and only literal values are read (anything else is :data:`UNKNOWN`).
"""
import ast
from typing import Any, Dict


class _Unknown:
    """A value that is not a literal in the config text (a call, a name, an expression...)."""

    def __repr__(self) -> str:
        return '<unknown>'


UNKNOWN = _Unknown()


def _literal(node: ast.AST) -> Any:
    """The value of a literal expression; ``dict(...)`` calls with keywords count as literals, anything
    else (inside a container too) becomes :data:`UNKNOWN`."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        values = [_literal(element) for element in node.elts]
        return values if isinstance(node, ast.List) else tuple(values)
    if isinstance(node, ast.Dict):
        return {_literal(key): _literal(value) for key, value in zip(node.keys, node.values)
                if key is not None and isinstance(_literal(key), (str, int, float, bool))}
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == 'dict'
            and not node.args):
        return {keyword.arg: _literal(keyword.value) for keyword in node.keywords if keyword.arg is not None}
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        value = _literal(node.operand)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return -value if isinstance(node.op, ast.USub) else value
    return UNKNOWN


def parse_config_text(text: str) -> Dict[str, Any]:
    """The top-level ``name = value`` assignments of a Python config's text, without executing it.

    Args:
        text (str): Config text, e.g. ``Config.pretty_text`` as saved in a checkpoint.

    Returns:
        dict: Variable name -> value; values that are not literals (or contain non-literals) hold
        :data:`UNKNOWN` in those places. Empty if the text is not valid Python.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return {}
    variables = {}
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)):
            variables[statement.targets[0].id] = _literal(statement.value)
    return variables

"""Reading plain rules data: each reader checks one value and names the key that is wrong.

The triage rules (``rules.py``) and the proposal's part of them (``proposal_rules.py``) are
edited by task-force staff, not programmers, so every problem says exactly where it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


class RulesError(ValueError):
    """The rules are invalid; ``path`` names the offending key (e.g. categories.MEDSOS)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


def type_name(value: object) -> str:
    return "nothing" if value is None else type(value).__name__


def mapping(value: object, path: str) -> Mapping[str, object]:
    if not isinstance(value, Mapping):
        raise RulesError(path, f"must be a mapping of names to values, not {type_name(value)}")
    for key in value:
        if not isinstance(key, str):
            raise RulesError(
                f"{path}.{key}", f"key must be text, not {type_name(key)} (quote it in YAML)"
            )
    return value


def keys(
    data: Mapping[str, object], path: str, required: Sequence[str], optional: Sequence[str] = ()
) -> None:
    missing = [k for k in required if k not in data]
    if missing:
        raise RulesError(path, f"missing {', '.join(missing)}")
    allowed = set(required) | set(optional)
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        raise RulesError(
            f"{path}.{unknown[0]}" if path else unknown[0],
            f"unknown key (allowed: {', '.join(sorted(allowed))})",
        )


def text(value: object, path: str) -> str:
    if not isinstance(value, str):
        raise RulesError(path, f"must be text, not {type_name(value)} (quote it in YAML)")
    if not value.strip():
        raise RulesError(path, "must not be empty")
    return value.strip()


def number(value: object, path: str, *, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RulesError(path, f"must be a number, not {type_name(value)}")
    if value < 0:
        raise RulesError(path, f"must not be negative (got {value})")
    if positive and value == 0:
        raise RulesError(path, "must be greater than zero")
    return float(value)


def integer(value: object, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RulesError(path, f"must be a whole number, not {type_name(value)}")
    if value < 0:
        raise RulesError(path, f"must not be negative (got {value})")
    return value


def text_list(value: object, path: str) -> tuple[str, ...]:
    if not isinstance(value, list | tuple):
        raise RulesError(path, f"must be a list, not {type_name(value)}")
    return tuple(text(item, f"{path}[{i}]") for i, item in enumerate(value))

"""Reading triage rules from YAML and the learned model's examples: the only place they touch
files."""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from services.triage.domain.learned import Example, LearnedModel, text_of, train
from services.triage.domain.rules import Rules, RulesError, parse_rules

RULES_PACKAGE = "services.triage.rules"
DEFAULT_RULES_FILE = "taxonomy.yaml"
EXAMPLES_PACKAGE = "services.triage.rules.examples"
EXAMPLE_FILES = ("labelled.jsonl", "heldout.jsonl", "training.jsonl")


class _StrictLoader(yaml.SafeLoader):
    """A safe loader that refuses repeated keys.

    Plain YAML keeps the last of two equal keys, so a phrase entered twice in the lexicon
    would silently lose one of its weights.
    """


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[object, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:
            first = None  # an unhashable key; the constructor below reports it
        if first is not None:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found the key {key!r} twice (first at line {first.start_mark.line + 1})",
                key_node.start_mark,
            )
        if not isinstance(key, list | dict):
            seen[key] = key_node
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def load_rules_text(text: str) -> Rules:
    """Parse and validate rules written in YAML; any problem raises :class:`RulesError`."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "YAML"
        problem = getattr(exc, "problem", None) or str(exc)
        raise RulesError(where, f"not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise RulesError("(rules)", "the YAML document must be a mapping at the top level")
    # Every rule set, shipped or a tenant's own version, is read beside the same learned
    # model: the model comes from the shipped examples, not from the rules' text.
    return replace(parse_rules(data), learned=default_model())


def default_rules_text() -> str:
    """The text of the rules shipped with the triage service."""
    return resources.files(RULES_PACKAGE).joinpath(DEFAULT_RULES_FILE).read_text(encoding="utf-8")


def load_default_rules() -> Rules:
    """The shipped rules, validated and compiled."""
    return load_rules_text(default_rules_text())


def read_examples(text: str) -> list[Example]:
    """Examples from JSON lines (``id``, ``title``, ``description``, ``expected_category``)."""
    examples = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(
                Example(
                    id=str(row["id"]),
                    title=str(row["title"]),
                    text=text_of(str(row["title"]), str(row["description"])),
                    category=str(row["expected_category"]),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RulesError(f"examples line {number}", f"not a labelled example: {exc}") from exc
    return examples


def shipped_examples() -> list[Example]:
    """The labelled examples shipped with the triage service."""
    folder = resources.files(EXAMPLES_PACKAGE)
    examples: list[Example] = []
    for name in EXAMPLE_FILES:
        examples.extend(read_examples(folder.joinpath(name).read_text(encoding="utf-8")))
    return examples


@cache
def default_model() -> LearnedModel:
    """The learned model of the shipped examples, fitted once per process (under a second)."""
    return train(shipped_examples())

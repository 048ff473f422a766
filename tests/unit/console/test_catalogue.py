"""The console's English catalogue keeps up with the code: every text the pages mark for
translation is in ``translations/en``, translated, with the placeholders of its Indonesian
source, and the catalogue compiles.

The texts are extracted as the catalogue is made: Babel's ``extract_from_dir`` with the
console's ``babel.cfg`` and the keywords below. A marked text the extractor cannot see (a call
inside an f-string) would never reach the catalogue, so that is refused too.
"""

from __future__ import annotations

import ast
import io
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CONSOLE = Path(__file__).resolve().parents[3] / "services" / "console"
ENGLISH = CONSOLE / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
}
# %(name)s, %(num)d, %s, %% and {name}: what must come through a translation unchanged.
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]|\{[^{}]*\}")


def extracted() -> dict[tuple[str, ...], list[str]]:
    """Every marked text of the console (its msgid, and msgid_plural for a plural) and where
    each is marked."""
    with (CONSOLE / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    found: dict[tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(CONSOLE), method_map, options_map, keywords=KEYWORDS
    ):
        ids = (message,) if isinstance(message, str) else tuple(message)
        found.setdefault(ids, []).append(f"{filename}:{lineno}")
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def problem(ids: tuple[str, ...], entry: Message | None) -> str | None:
    """What is wrong with the catalogue's entry for ``ids``, or None."""
    if entry is None:
        return "missing from the catalogue"
    if entry.fuzzy:
        return "marked fuzzy"
    plural = isinstance(entry.string, tuple | list)
    if plural != (len(ids) == 2):
        return "singular in the code and plural in the catalogue, or the other way round"
    translations = tuple(entry.string or "") if plural else (str(entry.string or ""),)
    if not translations or not all(translations):
        return "not translated"
    wanted = placeholders(ids[0])
    for translation in translations:
        if placeholders(translation) != wanted:
            return f"placeholders {sorted(placeholders(translation))}, wanted {sorted(wanted)}"
    return None


def report(problems: Iterable[str]) -> str:
    listed = list(problems)
    return f"{len(listed)} message(s) of the English catalogue need work:\n" + "\n".join(listed)


@pytest.fixture(scope="module")
def catalogue() -> Catalog:
    with ENGLISH.open("rb") as po:
        return read_po(po)


def test_the_extraction_finds_the_console_texts() -> None:
    found = extracted()
    assert ("Masuk ke Pantau",) in found
    assert ("%(num)s kasus", "%(num)s kasus") in found


def test_every_marked_text_is_translated_with_its_placeholders(catalogue: Catalog) -> None:
    problems = []
    for ids, where in sorted(extracted().items()):
        wrong = problem(ids, catalogue.get(ids[0]))
        if wrong is not None:
            problems.append(f"{ids[0]!r} ({', '.join(where[:3])}): {wrong}")
    assert not problems, report(problems)


def test_the_catalogue_compiles(catalogue: Catalog) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert len(compiled.getvalue()) > 1000


def marked_in_f_strings(tree: ast.AST) -> list[ast.Call]:
    """The translation calls written inside an f-string, which Babel's extractor skips."""
    return [
        call
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for call in ast.walk(node)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Name)
        and call.func.id in KEYWORDS
    ]


def test_no_text_is_marked_where_the_extractor_cannot_see_it() -> None:
    hidden = [
        f"{path.relative_to(CONSOLE)}:{call.lineno}: {ast.unparse(call)}"
        for path in sorted(CONSOLE.rglob("*.py"))
        for call in marked_in_f_strings(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not hidden, "Marked inside an f-string, so never extracted:\n" + "\n".join(hidden)

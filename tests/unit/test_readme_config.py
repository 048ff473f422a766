"""The README's configuration table stays true to the settings the code reads."""

from __future__ import annotations

import re
from pathlib import Path

from shared.settings import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_with_its_default() -> None:
    text = README.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(PANTAU_[A-Z_]+)` \| ([^|]+) \|", text, flags=re.M))
    for name, field in Settings.model_fields.items():
        variable = f"PANTAU_{name.upper()}"
        assert variable in rows, f"{variable} is missing from the README"
        default = field.default
        if hasattr(default, "get_secret_value"):
            default = default.get_secret_value()
        shown = rows[variable].strip()
        if default == "":
            assert shown == "(empty)", variable
        else:
            assert shown == f"`{default}`", (variable, shown, default)


def test_readme_names_no_variable_the_code_does_not_read() -> None:
    text = README.read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(PANTAU_[A-Z_]+)`", text, flags=re.M))
    known = {f"PANTAU_{n.upper()}" for n in Settings.model_fields}
    known |= {"PANTAU_BIND", "PANTAU_WEB_WORKERS", "PANTAU_WEB_THREADS"}
    assert documented <= known, documented - known

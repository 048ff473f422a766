"""Flask-Babel's translation calls typed as ``str`` for this family's word modules (Flask-Babel
declares none). The names stay ``_`` and ``ngettext``, so pybabel still extracts the texts."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as babel_gettext
from flask_babel import ngettext as babel_ngettext


def _(text: str, **values: Any) -> str:
    """``text`` in the person's language."""
    return str(babel_gettext(text, **values))


def ngettext(singular: str, plural: str, num: int, **values: Any) -> str:
    """The singular or plural text for ``num`` in the person's language."""
    return str(babel_ngettext(singular, plural, num, **values))

"""Who may open the operators' pages. The services decide what each role may do and refuse
the rest; these guards only keep people away from pages whose every part they would be
refused: officers and supervisors get the 403 page, auditors read but change nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Final, TypeVar

from flask import abort
from flask_login import login_required

from services.console.web.person import current_person

# The province's administrators: health, keys, parked messages.
OPERATORS: Final = frozenset({"operator"})
# Those who check who did what: the key list and the sign-in log.
CHECKERS: Final = frozenset({"operator", "auditor"})

F = TypeVar("F", bound=Callable[..., Any])


def open_to(roles: frozenset[str]) -> Callable[[F], F]:
    """Signed in, and one of ``roles``; anyone else gets the 403 page."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if current_person().role not in roles:
                abort(403)
            return view(*args, **kwargs)

        protected: F = login_required(guarded)
        return protected

    return decorate


def may_change() -> bool:
    """Whether the signed-in person may create, revoke and replay (buttons are hidden
    otherwise; the services refuse it anyway)."""
    return current_person().role in OPERATORS

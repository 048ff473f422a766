"""A browser's user-agent string as people name their device: "Chrome di Android".

Deliberately rough: it only has to let a person (or their supervisor) tell a phone from the
office computer, not identify a browser version. The raw string stays in the operators'
sign-in log, where it is evidence.
"""

from __future__ import annotations

from typing import Final

from flask_babel import gettext as _

# Checked in order: several browsers name others in their strings (Edge says Chrome and
# Safari, Chrome says Safari).
_BROWSERS: Final = (
    ("SamsungBrowser", "Samsung Internet"),
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"),
    ("Chrome", "Chrome"),
    ("Safari", "Safari"),
)
_SYSTEMS: Final = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)
MAX_RAW: Final = 40


def device(agent: str | None) -> tuple[str | None, str | None]:
    """The browser and the system a user-agent string names (None where it names none)."""
    if not agent:
        return None, None
    browser = next((name for mark, name in _BROWSERS if mark in agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in agent), None)
    return browser, system


def raw_name(agent: str | None) -> str | None:
    """The first word of an unrecognised string (a script, a tool), short enough to show."""
    if not agent:
        return None
    return agent.split(" ", 1)[0][:MAX_RAW] or None


def device_label(agent: str | None) -> str:
    """What a list of sessions shows for ``agent``: "Chrome di Android", the browser or the
    system alone, a script's own name, or that the device is unknown."""
    browser, system = device(agent)
    if browser and system:
        return str(_("%(browser)s di %(system)s", browser=browser, system=system))
    return browser or system or raw_name(agent) or str(_("Perangkat tak dikenal"))

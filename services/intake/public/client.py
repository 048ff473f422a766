"""Who is on the other side of the public pages: the citizen's address and how the reporter
is named in the trail.

The console calls intake from its own address for every citizen; it names the citizen's
address in ``X-Pantau-Client-Address``. Only a request made with the public key may name it:
anyone else could otherwise pick the address their requests are counted under.
"""

from __future__ import annotations

import ipaddress
from typing import Final

from flask import request

from shared.auth import Principal, current_principal
from shared.problems import Problem

CLIENT_HEADER: Final = "X-Pantau-Client-Address"
# How the reporter appears on the timeline, in the audit trail and on evidence: a role, never
# a person (a confidential reporter's identity stays in the vault).
REPORTER_NAME: Final = "Pelapor"
# The header as the OpenAPI document describes it.
CLIENT_ADDRESS: Final = {
    "name": CLIENT_HEADER,
    "in": "header",
    "required": False,
    "description": "The citizen's IP address, as the public pages saw it; trusted from the "
    "public key only, ignored from anyone else.",
    "schema": {"type": "string", "maxLength": 45},
}


def client_address(principal: Principal | None) -> str:
    """The address per-address limits count: the citizen's, when the public pages say it."""
    if principal is not None and principal.role == "public":
        named = request.headers.get(CLIENT_HEADER, "").strip()
        try:
            return str(ipaddress.ip_address(named))
        except ValueError:
            pass
    return request.remote_addr or "unknown"


def optional_principal() -> Principal | None:
    """The caller of a route open to anyone, when they sent a key that intake knows."""
    if not request.headers.get("Authorization"):
        return None
    try:
        return current_principal()
    except Problem:
        return None


def reporter(principal: Principal, tenant: str) -> Principal:
    """The reporter acting through the public pages on a case of ``tenant``.

    The public key serves every regency of the deployment; the reporter it acts for is
    scoped to the one case's regency, and named by role only.
    """
    return Principal(
        key_prefix=principal.key_prefix,
        name=REPORTER_NAME,
        region=tenant,
        role=principal.role,
        kind="reporter",
    )

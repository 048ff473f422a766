"""Render the RabbitMQ definitions file from the code's own topology.

    python -m deploy.rabbitmq.render_definitions > deploy/rabbitmq/definitions.json

The exchange, queues and bindings come from ``shared.broker.topology.definitions`` with the
default settings, so the file never drifts from what every process declares at start (a
queue declared with other arguments than the imported one fails with PRECONDITION_FAILED).

When a node imports definitions at boot it does not create its default ``guest`` user, so the
file also carries one application user with full rights on the virtual host. Its default
password is the one docker-compose.yml uses on a single machine; it is public and must be
replaced (``--password``, output kept out of version control) wherever the broker is reachable
by anyone else. The user is tagged ``administrator`` so the same login opens the management UI.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import secrets
import sys
from typing import Any

from shared.broker.topology import definitions
from shared.settings import Settings

DEFAULT_USER = "pantau"
# The compose stack's credential on one machine, public by design (see the module docstring).
DEFAULT_PASSWORD = "pantau"  # noqa: S105
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"


def password_hash(password: str, salt: bytes) -> str:
    """A password hash as RabbitMQ stores and exports it: base64(salt + SHA-256(salt + pw))."""
    if len(salt) != 4:
        raise ValueError("RabbitMQ salts are 4 bytes")
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    return base64.b64encode(salt + digest).decode("ascii")


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether ``password`` is the one behind ``stored_hash`` (the broker's own check)."""
    raw = base64.b64decode(stored_hash)
    return password_hash(password, raw[:4]) == stored_hash


def default_salt(user: str) -> bytes:
    """A salt fixed per user, so rendering the default file twice gives the same bytes."""
    return hashlib.sha256(f"pantau-definitions:{user}".encode()).digest()[:4]


def render(
    settings: Settings,
    vhost: str = "/",
    *,
    user: str = DEFAULT_USER,
    hashed_password: str | None = None,
) -> dict[str, Any]:
    """The whole definitions document: the application user, its rights, the topology."""
    if hashed_password is None:
        hashed_password = password_hash(DEFAULT_PASSWORD, default_salt(user))
    return {
        "users": [
            {
                "name": user,
                "password_hash": hashed_password,
                "hashing_algorithm": HASHING_ALGORITHM,
                "tags": ["administrator"],
            }
        ],
        "permissions": [
            {"user": user, "vhost": vhost, "configure": ".*", "write": ".*", "read": ".*"}
        ],
        **definitions(settings, vhost=vhost),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="Print the RabbitMQ definitions (user, rights, topology) as JSON."
    )
    parser.add_argument("--vhost", default="/", help="virtual host of every definition")
    parser.add_argument("--user", default=DEFAULT_USER, help="the application user")
    parser.add_argument(
        "--password",
        default=None,
        help="the application user's password (default: the public single-machine one)",
    )
    args = parser.parse_args(argv)
    hashed = None
    if args.password is not None:
        # A real password gets a random salt: its file is rendered per deployment, not shared.
        hashed = password_hash(args.password, secrets.token_bytes(4))
    document = render(Settings(), args.vhost, user=args.user, hashed_password=hashed)
    sys.stdout.write(json.dumps(document, indent=2) + "\n")


if __name__ == "__main__":
    main()

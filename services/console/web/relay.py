"""Passing a file from a service to the browser without holding it: an evidence file, an
export. Personal data either way, so no shared cache keeps it and the browser opens it only
as what it says it is."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import requests
from flask import Response, stream_with_context

CHUNK: Final = 64 * 1024
# Headers of the service's answer that the browser needs; nothing else is passed on.
PASSED: Final = ("Content-Type", "Content-Length", "Content-Disposition", "ETag")


def relay(upstream: requests.Response) -> Response:
    """Stream ``upstream``'s body to the browser in chunks, closing it at the end."""
    headers = {name: upstream.headers[name] for name in PASSED if name in upstream.headers}
    headers["Cache-Control"] = "private, no-store"
    headers["X-Content-Type-Options"] = "nosniff"

    def body() -> Iterator[bytes]:
        try:
            yield from upstream.iter_content(CHUNK)
        finally:
            upstream.close()

    return Response(stream_with_context(body()), status=200, headers=headers)

"""The public pages' routes (``report_views``, ``track_views``) on one blueprint, which the
app registers."""

from __future__ import annotations

from services.console.public import report_views, track_views
from services.console.public.blueprint import bp

__all__ = ["bp", "report_views", "track_views"]

"""The statistics family's routes, gathered on one blueprint: the page (``overview``), its
charts (``chart_views``) and CSV exports (``export_views``)."""

from __future__ import annotations

from services.console.stats import chart_views, export_views, overview
from services.console.stats.blueprint import bp

__all__ = ["bp", "chart_views", "export_views", "overview"]

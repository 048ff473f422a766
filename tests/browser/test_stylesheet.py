"""The stylesheet as Chromium reads it: every rule where it was written, and the phone layout of
the report form that depends on its later rules.

A block left open in the CSS is no syntax error to a browser: it closes at the end of the
file, and every rule after it moves inside it. An unclosed ``@media (min-width: 40rem)`` once
kept the rules of the statistics, team and public pages from every phone.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

from tests.support.suite import Suite

# Rules inside rules that the stylesheet never writes on purpose: a media block in a media
# block, or rules nested in a style rule (CSS nesting), each named by where it sits.
_MISPLACED = """
() => {
  const found = [];
  const walk = (rules, parent) => {
    for (const rule of rules) {
      const name = rule.selectorText || (rule.media && '@media ' + rule.media.mediaText) || '?';
      if (parent && (rule instanceof CSSMediaRule || parent instanceof CSSStyleRule)) {
        found.push(name + ' inside ' + (parent.selectorText || '@media ' + parent.media.mediaText));
      }
      if (rule.cssRules && rule.cssRules.length) walk(rule.cssRules, rule);
    }
  };
  for (const sheet of document.styleSheets) walk(sheet.cssRules, null);
  return found;
}
"""


def _box(page: Page, selector: str) -> dict[str, Any]:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return dict(box)


def test_every_rule_of_the_stylesheet_stands_where_it_was_written(
    page: Page, browser_suite: Suite
) -> None:
    page.goto(browser_suite.urls["console"] + "/lapor")
    assert page.evaluate("document.styleSheets.length") >= 1
    assert page.evaluate(_MISPLACED) == []


def test_the_report_forms_date_boxes_and_choices_fit_a_phone(
    page: Page, browser_suite: Suite
) -> None:
    page.goto(browser_suite.urls["console"] + "/lapor")
    day = _box(page, "#occurred_day")
    month = _box(page, "#occurred_month")
    year = _box(page, "#occurred_year")
    # Sized for what they hold, side by side: two digits, two digits, four digits.
    assert day["width"] < year["width"] < 120
    assert day["y"] == month["y"] == year["y"]
    assert day["x"] < month["x"] < year["x"]
    # Each choice's explanation is its own line of plain text under the choice's name.
    hint = page.locator("label[for='identity-0'] .hint")
    assert hint.evaluate("h => getComputedStyle(h).display") == "block"
    assert hint.evaluate("h => getComputedStyle(h).fontWeight") == "400"

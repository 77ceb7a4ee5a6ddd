"""Trying a listing in a real browser, reusable by longer walks (try, then buy).

`try_listing` fills the listing page's trial form (one input per variable, found by its
`[name]` label) and waits for the run's result to show; `trials_left` reads the form's button.
The caller is already on the listing page and signed in.
"""

from __future__ import annotations

import re
from typing import Any

TRY_BUTTON = re.compile(r"Try it \((\d+) left\)|试用（剩余 (\d+) 次）")


def trials_left(page: Any) -> int:
    """Runs the trial form offers; 0 when it says none are left."""
    if page.locator("[data-trials-used]").count():
        return 0
    label = page.get_by_role("button", name=TRY_BUTTON).inner_text()
    match = TRY_BUTTON.search(label)
    assert match, label
    return int(match.group(1) or match.group(2))


def try_listing(page: Any, values: dict[str, str]) -> Any:
    """Submit one trial run and wait until it is listed as done; returns its list item."""
    before = page.locator("[data-trial]").count()
    for name, value in values.items():
        page.get_by_label(f"[{name}]").fill(value)
    page.get_by_role("button", name=TRY_BUTTON).click()
    page.wait_for_function(f"document.querySelectorAll('[data-trial]').length > {before}")
    newest = page.locator("[data-trial]").first
    page.wait_for_function(
        "document.querySelector('[data-trial]').dataset.trialStatus === 'done'", timeout=30_000
    )
    image = newest.locator("img")
    if image.count():
        image.scroll_into_view_if_needed()
        image.evaluate(
            "img => img.complete && img.naturalWidth ? null"
            " : new Promise(done => img.addEventListener('load', done))"
        )
    return newest

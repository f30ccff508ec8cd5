"""Steps a person takes on a record's process panel, shared by the browser tests of the flows."""


def take_step(page, name, fill=None, shot=None):
    """Open a transition's form, fill it (selector -> value), screenshot it if asked, submit, and
    check the record page came back without an error."""
    page.click(f".anjian-transitions a[data-transition={name}]")
    page.wait_for_url(f"**/transitions/{name}")
    for selector, value in (fill or {}).items():
        page.fill(selector, value)
    if shot:
        shot()
    page.click(".anjian-transition-form button[type=submit]")
    page.wait_for_selector(".anjian-flow")
    assert not page.locator(".anjian-error, .anjian-general-error").count(), page.inner_text(".anjian-page")


def state(page):
    return page.get_attribute(".anjian-flow", "data-state")


def no_overflow(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

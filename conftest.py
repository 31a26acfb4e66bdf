"""Suite-wide pytest rules for SmartBook.

A skipped test is a failed test here: Odoo's browser tests skip themselves when
Chromium or websocket-client is missing, and a tour that did not run proves nothing.
"""

import logging

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped, and a skipped test counts as a failure in SmartBook: {reason}"


class _DropTestFrameworkImportError(logging.Filter):
    """pytest-odoo imports odoo.tests before turning Odoo's test mode on, and Odoo
    logs that import as an error meant for business code; it is expected here."""

    def filter(self, record):
        return not record.getMessage().startswith("Importing test framework")


logging.getLogger("odoo.tests.common").addFilter(_DropTestFrameworkImportError())

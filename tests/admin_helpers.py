"""Helpers for the admin tests: management-form data for inlines, query counting, templates
rendered without the test environment's instrumentation."""

import csv
import io
from contextlib import ExitStack, contextmanager
from unittest.mock import patch

from django.db import connection
from django.test.utils import CaptureQueriesContext


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def read_csv(response, delimiter: str = ";") -> list[list[str]]:
    """The rows of a CSV export (the admin's and the site's: UTF-8 with a BOM, semicolons)."""
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def csv_export_queries(client, changelist: str, model, grow) -> tuple[int, int]:
    """The queries of the admin's CSV export of every row of ``model``, after ``grow(2)`` then
    after ``grow(18)`` more: equal when the export reads its rows in a constant number."""

    def export() -> int:
        selected = list(model.objects.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                changelist, {"action": "export_csv", "_selected_action": selected}
            )
        assert len(read_csv(response)) == len(selected) + 1
        return len(queries)

    grow(2)
    few = export()
    grow(18)
    return few, export()


def count_queries(client, url: str, params=None) -> int:
    """The queries of a GET of ``url`` (a 200), its templates rendered as in production: the
    test environment's instrumentation runs none, and copied the context of every widget."""
    with plain_rendering(), CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(queries)


def _plain_renders() -> dict:
    from django.template.base import PartialTemplate, Template
    from django.test.utils import _TestState

    saved = _TestState.saved_data  # what setup_test_environment() replaced
    return {Template: saved.template_render, PartialTemplate: saved.partial_template_render}


@contextmanager
def plain_rendering():
    """Templates rendered as in production for the requests inside the block. The test
    environment instruments every template render (a signal, and a copy of the context kept by
    the test client), form widgets included: 5 to 15 % of the CPU time of a page. For requests
    whose ``response.context`` nobody reads (the ``plain_templates`` fixture, tests/conftest.py)."""
    with ExitStack() as stack:
        for template_class, render in _plain_renders().items():
            stack.enter_context(patch.object(template_class, "_render", render))
        yield

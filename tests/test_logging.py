"""JSON logs (LOG_FORMAT=json): python-json-logger's formatter as the settings configure it,
with the request's id on every line and every ``extra=`` field of the call."""

from __future__ import annotations

import copy
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings as django_settings
from django.http import HttpResponse
from django.urls import include, path

from ptce_site.logging import JsonFormatter

logger = logging.getLogger("ptce_site.tests.logging")


def logged_view(request):
    logger.info("Fiche du pôle « Économie solidaire » vue", extra={"pole": 12})
    return HttpResponse("gone", status=410)  # returned, not raised: Django logs it afterwards


urlpatterns = [
    path("test-logging/", logged_view),
    path("", include(django_settings.ROOT_URLCONF)),
]


@pytest.fixture
def json_lines():
    """The JSON lines the settings' console handler would write, as dicts (read after the
    test's logging)."""
    config = copy.deepcopy(django_settings.LOGGING)  # configuring pops keys
    configurator = logging.config.DictConfigurator(config)
    formatter = configurator.configure_formatter(config["formatters"]["json"])
    request_id = configurator.configure_filter(config["filters"]["request_id"])
    assert isinstance(formatter, JsonFormatter)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(request_id)
    root = logging.getLogger()
    root.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)

    def read():
        text = stream.getvalue()
        assert "\\u00" not in text  # non-ASCII kept readable
        return [json.loads(line) for line in text.splitlines()]

    try:
        yield read
    finally:
        root.removeHandler(handler)
        logger.setLevel(level)


def test_every_extra_field_reaches_the_json_line(json_lines):
    logger.info("Pôle %s mis à jour", "Économie", extra={"pole": 12, "duration_ms": 3.4})
    (line,) = json_lines()
    assert line["pole"] == 12 and line["duration_ms"] == 3.4
    assert line["message"] == "Pôle Économie mis à jour"
    assert line["level"] == "INFO" and line["logger"] == "ptce_site.tests.logging"
    assert line["request_id"] == "-"  # outside a request
    assert line["time"].endswith("+00:00") and "T" in line["time"]
    assert list(line)[:5] == ["time", "level", "logger", "request_id", "message"]


def test_an_exception_is_a_field_and_odd_values_do_not_break_the_line(json_lines):
    try:
        raise ZeroDivisionError("division by zero")
    except ZeroDivisionError:
        logger.exception("Échec", extra={"status_code": 500, "thing": object(), "ids": (1, 2)})
    (line,) = json_lines()
    assert line["exception"].startswith("Traceback") and "ZeroDivisionError" in line["exception"]
    assert line["status"] == 500  # Django's status_code, under the README's name
    assert line["thing"].startswith("<object object") and line["ids"] == [1, 2]
    assert line["message"] == "Échec" and line["level"] == "ERROR"


def test_log_lines_of_a_real_request_carry_its_request_id(client, json_lines):
    response = client.get("/page-qui-n-existe-pas/", HTTP_X_REQUEST_ID="req-logging-0001")
    assert response.status_code == 404 and response["X-Request-ID"] == "req-logging-0001"
    (line,) = [entry for entry in json_lines() if entry["logger"] == "django.request"]
    assert line["request_id"] == "req-logging-0001"
    assert line["status"] == 404 and line["level"] == "WARNING"
    assert "/page-qui-n-existe-pas/" in line["message"]
    assert line["request"].startswith("<WSGIRequest: GET")  # Django's extra, as text


def test_app_lines_and_the_log_of_a_returned_error_carry_the_request_id(client, settings,
                                                                         json_lines):
    settings.ROOT_URLCONF = __name__
    response = client.get("/test-logging/", HTTP_X_REQUEST_ID="req-logging-0002")
    assert response.status_code == 410
    made = client.get("/test-logging/")["X-Request-ID"]
    lines = json_lines()
    app = [entry for entry in lines if entry["logger"] == logger.name]
    assert [(entry["request_id"], entry["pole"]) for entry in app] == [
        ("req-logging-0002", 12), (made, 12)
    ]
    assert app[0]["message"] == "Fiche du pôle « Économie solidaire » vue"
    # Django logs a returned 4xx after the middleware has returned: the id comes from the request.
    gone = [entry for entry in lines if entry["logger"] == "django.request"]
    assert [(entry["request_id"], entry["status"]) for entry in gone] == [
        ("req-logging-0002", 410), (made, 410)
    ]

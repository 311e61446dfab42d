"""Structured logs on stdout: one JSON object a line, with the request's id.

``RequestIdMiddleware`` takes the id from the proxy's ``X-Request-ID`` header (when it looks
like one) or makes one, returns it in the response, and every log line written while the
request is handled carries it, errors included.

``JsonFormatter`` is python-json-logger's, set to the field names the README documents:
``time`` (UTC, ISO 8601, milliseconds), ``level``, ``logger``, ``request_id``, ``message``,
then every field the call passed in ``extra=`` under its own name (Django's ``status_code`` as
``status``), and ``exception`` (the traceback) or ``stack`` when there is one. Values JSON
cannot hold are written as their ``str()`` (Django's ``request``: ``<WSGIRequest: GET '/…'>``);
non-ASCII text is written as is.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id``: the id of the request being handled, or ``-``.

    Django logs a 4xx or 5xx response that a view returned (rather than raised) after the
    middleware has returned, with the request in ``extra``: its id is taken from there.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = getattr(getattr(record, "request", None), "id", None)
        record.request_id = request_id if isinstance(request_id, str) else request_id_var.get()
        return True


class JsonFormatter(BaseJsonFormatter):
    FIELDS = ("asctime", "levelname", "name", "request_id", "message")
    RENAMED = {
        "asctime": "time",
        "levelname": "level",
        "name": "logger",
        "status_code": "status",
        "exc_info": "exception",
        "stack_info": "stack",
    }

    def __init__(self, *args, **kwargs):
        if not args:
            kwargs.setdefault("fmt", list(self.FIELDS))
        kwargs.setdefault("rename_fields", self.RENAMED)
        kwargs.setdefault("json_ensure_ascii", False)
        super().__init__(*args, **kwargs)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        moment = datetime.fromtimestamp(record.created, tz=UTC)
        return moment.strftime(datefmt) if datefmt else moment.isoformat(timespec="milliseconds")

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        if log_data.get("request_id") is None:  # a handler without RequestIdFilter
            log_data["request_id"] = request_id_var.get()


def logging_config(log_format: str, level: str) -> dict:
    """Django's ``LOGGING`` for the settings' ``LOG_FORMAT`` (``text`` or ``json``) and
    ``LOG_LEVEL``, refusing other values with a message naming the variable."""
    if log_format not in {"text", "json"}:
        raise ImproperlyConfigured(f"LOG_FORMAT={log_format!r}: use text or json.")
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ImproperlyConfigured(f"LOG_LEVEL={level!r} is not a log level.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "ptce_site.logging.RequestIdFilter"}},
        "formatters": {
            # One JSON object a line with time, level, logger, request_id, message, every
            # extra= field of the call, and the exception.
            "json": {"()": "ptce_site.logging.JsonFormatter"},
            "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
    }

"""The downloadable template of an import file (XLSX with the allowed values on a second
sheet, or CSV) and the columns' description for the admin's help page, read from the
resource: its columns, its ``example`` row and its widgets' allowed values."""

from __future__ import annotations

import tablib
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .exports import SafeXLSX, SemicolonCSV, neutralised, yes_no
from .import_widgets import BooleanWidget, KeyedManyWidget, KeyedWidget

ALLOWED_LIMIT = 60  # values listed per column (the rest is in the admin)


def allowed_values(widget) -> list[str]:
    # A choice's labels, or what another widget says it reads (the pole's witness flag).
    if hasattr(widget, "allowed"):
        return widget.allowed()
    if isinstance(widget, BooleanWidget):
        return [yes_no(True), yes_no(False)]
    one = widget.one if isinstance(widget, KeyedManyWidget) else widget
    if isinstance(one, KeyedWidget) and one.preload:
        rows = one.model._default_manager.all()[:ALLOWED_LIMIT]
        return [str(getattr(row, one.label)) for row in rows]
    return []


def describe_columns(resource) -> list[dict]:
    required = {str(column) for column in resource.required_columns}
    return [
        {
            "name": str(field.column_name),
            "required": str(field.column_name) in required,
            "help": str(getattr(resource, "column_help", {}).get(field.attribute, "")),
            "allowed": allowed_values(field.widget),
            "example": resource.example.get(field.attribute, ""),
        }
        for field in resource.importable_fields()
    ]


def template_file(resource, extension: str, stem: str) -> HttpResponse:
    columns = describe_columns(resource)
    sheet = tablib.Dataset(headers=[column["name"] for column in columns], title=_("données"))
    sheet.append([column["example"] for column in columns])
    if extension == "csv":
        body = SemicolonCSV().export_data(sheet)
        content_type = SemicolonCSV.CONTENT_TYPE
    else:
        allowed = tablib.Dataset(headers=[_("colonne"), _("obligatoire"), _("valeurs permises")])
        allowed.title = _("valeurs permises")
        for column in columns:
            allowed.append(
                [
                    column["name"],
                    yes_no(column["required"]),
                    ", ".join(column["allowed"]) or column["help"],
                ]
            )
        book = tablib.Databook([neutralised(sheet), neutralised(allowed)])
        body = book.export("xlsx")
        content_type = SafeXLSX().get_content_type()
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{stem}.{extension}"'
    return response

"""The admin's bulk import and export (django-import-export), as the registry's admins use it:
``RegistryImportExportMixin`` goes before the admin's other bases.

- Import: one format for every accepted file (``SpreadsheetFormat``: CSV,
  XLSX or ODS, found from the content, refused whole when hostile); a dry run whose preview
  says, per row, new / changed (which columns, before → after) / unchanged / errors in French
  with line and column; nothing written before the curator confirms; the confirmed import
  in one transaction, rolled back whole on any error; the history told who imported which file.
- Export: the filtered changelist ("Exporter") or a selection (the action), as CSV « ; »
  (decimal commas), CSV « , », XLSX or ODS, every cell neutralised (``ptce_site.exports``).
- A template of the file (XLSX with the allowed values on a second sheet, or CSV) and a help
  page, linked from the import page.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.contrib.admin.options import ActionLocation
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from import_export.admin import ExportActionMixin, ImportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm, ImportForm

from .admin_wording import EXPORT_SELECTED, agreeing
from .exports import EXPORT_FORMATS, SemicolonCSV, dated_filename
from .import_pending import discard, remember, take
from .import_templates import describe_columns, template_file
from .imports import ImportFileError, check_size, read_table
from .resources import all_errors, file_errors, summary


class SpreadsheetFormat(base_formats.Format):
    """django-import-export's import format for every accepted file: the kind is found from
    the content (``read_table``), never from the name the uploader gave it."""

    def __init__(self, encoding=None):
        self.encoding = encoding  # unused: the encoding is found from the content

    def get_title(self):
        return gettext_lazy("CSV, XLSX ou ODS")

    def create_dataset(self, in_stream):
        return read_table(in_stream)

    def can_import(self):
        return True

    def get_extension(self):
        return "csv"


class RegistryImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)  # before the file is read into memory
        except ImportFileError as error:
            self.add_error("import_file", error)
        return upload


class RegistryImportExportMixin(ImportMixin, ExportActionMixin):
    import_export_change_list_template = "admin/import_export/change_list_import_export.html"
    import_template_name = "admin/import_export/registry_import.html"
    import_form_class = RegistryImportForm
    # The resource decides the columns: one place for them, no per-export choice.
    export_form_class = ExportForm
    # The admin's change forms stay as they are (their own templates, no export button).
    change_form_template = None
    show_change_form_export = False
    skip_admin_log = False

    @property
    def import_formats(self):
        return [SpreadsheetFormat]

    @property
    def export_formats(self):
        return EXPORT_FORMATS

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        """The library's export action, with Django 6.1's signature (the library's override
        lacks ``action_location``, which Django warns is deprecated)."""
        actions = super(ExportActionMixin, self).get_actions(request, action_location)
        if action_location == ActionLocation.CHANGE_LIST and self.has_export_permission(request):
            actions["export_admin_action"] = (
                type(self).export_admin_action,
                "export_admin_action",
                agreeing(self.model, EXPORT_SELECTED),
            )
        return actions

    def get_valid_export_item_pks(self, request):
        """The selectable rows: those of the (filtered) list (the library's default, which it
        deprecates, reads every key of the table)."""
        return [str(pk) for pk in self.get_export_queryset(request).values_list("pk", flat=True)]

    def has_import_permission(self, request) -> bool:
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_export_filename(self, request, queryset, file_format):
        return dated_filename(self.export_stem, file_format.get_extension())

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            for message in e.messages:
                form.add_error("import_file", message)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_import_context_data(self, **kwargs):
        return {
            "help_url": self.admin_url("import_help"),
            "template_urls": [
                (extension.upper(), self.admin_url("import_template", extension))
                for extension in ("xlsx", "csv")
            ],
        }

    def admin_url(self, name: str, *args) -> str:
        """The address of this model's admin page ``name`` (« import », « changelist »…)."""
        return reverse(admin_urlname(self.opts, name), args=args)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context is None:
            return response
        self.keep_or_discard_upload(request, context)
        # The columns an import reads: not those only exported (a pole's calls, its date).
        context["fields_list"] = [
            (resource.get_display_name(), [f.column_name for f in resource().importable_fields()])
            for resource in self.get_import_resource_classes(request)
        ]
        result = context.get("result")
        if result is not None:
            context.update(summary=summary(result), file_errors=file_errors(result))
        return response

    def keep_or_discard_upload(self, request, context) -> None:
        """The previewed file awaits this session's confirmation; a refused one is deleted."""
        name = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if name and "confirm_form" in context:
            remember(request, self.opts.label_lower, name, self.get_tmp_storage_class())
        elif name:
            discard(self.get_tmp_storage_class(), name)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The library's, for a file this session previewed and has not confirmed yet (a
        second confirmation, or a forged one, says so instead of a server error); « Annuler »
        deletes the file instead. The file is deleted whatever the import's outcome (the
        library deletes it only once imported)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        if not self.confirmable(request):
            messages.error(
                request,
                _(
                    "Cet import n'est plus en attente : il a déjà été confirmé, ou son aperçu "
                    "a expiré. Vérifiez la liste, puis envoyez le fichier à nouveau si besoin."
                ),
            )
            return HttpResponseRedirect(self.admin_url("import"))
        name = request.POST["import_file_name"]
        if "cancel" in request.POST:
            discard(self.get_tmp_storage_class(), name)
            messages.info(request, _("Import annulé : rien n'a été enregistré."))
            return HttpResponseRedirect(self.admin_url("import"))
        try:
            return super().process_import(request, **kwargs)
        finally:
            discard(self.get_tmp_storage_class(), name)

    def confirmable(self, request) -> bool:
        post = request.POST
        formats = {str(index) for index in range(len(self.get_import_formats()))}
        resources = {str(i) for i in range(len(self.get_import_resource_classes(request)))}
        return (
            post.get("format") in formats
            and post.get("resource", "") in resources | {""}
            and take(
                request,
                self.opts.label_lower,
                post.get("import_file_name", ""),
                self.get_tmp_storage_class(),
            )
        )

    def process_result(self, result, request):
        errors = all_errors(result)
        if errors:
            # The transaction was rolled back: nothing was written.
            messages.error(
                request,
                _("Import annulé, rien n'a été enregistré : %(errors)s")
                % {"errors": " ; ".join(errors[:10])},
            )
            return HttpResponseRedirect(self.admin_url("import"))
        self.generate_log_entries(result, request)
        messages.success(
            request,
            _(
                "Import terminé : %(new)s nouveau(x), %(changed)s modifié(s), "
                "%(unchanged)s inchangé(s)."
            )
            % summary(result),
        )
        return HttpResponseRedirect(self.admin_url("changelist"))

    def _create_log_entry(self, user_pk, rows, import_type, action_flag):
        if rows and action_flag in (ADDITION, CHANGE):
            LogEntry.objects.log_actions(
                user_pk,
                rows,
                action_flag,
                change_message=_("Import de fichier"),
                single_object=len(rows) == 1,
            )

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/modele.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{info[0]}_{info[1]}_import_template",
            ),
            path(
                "import/aide/",
                self.admin_site.admin_view(self.import_help_view),
                name=f"{info[0]}_{info[1]}_import_help",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, extension: str) -> HttpResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        if extension not in {"xlsx", "csv"}:
            raise Http404
        resource = self.get_import_resource_classes(request)[0]()
        return template_file(resource, extension, f"modele-{self.export_stem}")

    def import_help_view(self, request) -> TemplateResponse:
        if not self.has_import_permission(request):
            raise PermissionDenied
        resource = self.get_import_resource_classes(request)[0]()
        context = {
            **self.admin_site.each_context(request),
            **self.get_import_context_data(),
            "opts": self.opts,
            "title": _("Importer des %(things)s : mode d'emploi")
            % {"things": self.opts.verbose_name_plural},
            "columns": describe_columns(resource),
            "max_megabytes": round(settings.IMPORT_MAX_BYTES / 1024 / 1024),
            "max_rows": settings.IMPORT_MAX_ROWS,
        }
        return TemplateResponse(request, "admin/import_export/registry_import_help.html", context)

    def export_csv_response(self, request, queryset, stem: str) -> HttpResponse:
        """The selection as the French CSV, columns from the resource (the quick action)."""
        resource = self.get_export_resource_classes(request)[0]()
        data = SemicolonCSV().export_data(resource.export(queryset=queryset))
        response = HttpResponse(data, content_type=SemicolonCSV.CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{dated_filename(stem)}"'
        return response

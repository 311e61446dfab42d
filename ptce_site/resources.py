"""What every bulk import of the registry shares, on top of django-import-export's
``ModelResource`` (the resources themselves live beside their models: ``poles/registry``,
``members``, ``calls``):

- columns named as in the file, found without accents nor case, by their French name or the
  model field's; required columns and keys repeated within the file refused before any row;
- rows validated by the models themselves (``full_clean``: validators, ``clean()``,
  constraints); an unchanged row written nowhere (``skip_unchanged``), so that importing the
  same file twice changes nothing;
- the whole import in one transaction, rolled back on any error;
- each row's outcome for the preview and the command's report: new, changed (which columns,
  before → after), unchanged, or errors in French with their line and column;
- the history (django-simple-history) told who imported which file;
- rows out of the importing account's scope (``ptce_site.scope``) do not exist to its files:
  a key or cell naming one is answered as one naming nothing (``scoped``; ``scoped`` widgets),
  never with its name or region; a row that would put one out of the scope (a regional
  curator's file mixing regions) is an error with its line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import instance_loaders, resources, widgets
from import_export.results import Error, RowResult

from .constraint_checks import validate_constraints
from .content import content_changed
from .history_records import history_recorder
from .import_errors import ImportFileError, row_error
from .import_widgets import fold, text_of, warm_keys
from .imports import file_line, refuse_repeated_columns
from .scope import scope

STATUS_LABELS = {
    RowResult.IMPORT_TYPE_NEW: gettext_lazy("nouveau"),
    RowResult.IMPORT_TYPE_UPDATE: gettext_lazy("modifié"),
    RowResult.IMPORT_TYPE_SKIP: gettext_lazy("inchangé"),
    RowResult.IMPORT_TYPE_INVALID: gettext_lazy("erreur"),
    RowResult.IMPORT_TYPE_ERROR: gettext_lazy("erreur"),
}
OUT_OF_SCOPE = gettext_lazy(
    "hors de vos régions (vous n'importez que les pôles de vos régions, leurs adhésions et "
    "candidatures, et les organisations liées à vos pôles ou situées dans vos régions)."
)
# simple-history's change reason column holds 100 characters.
REASON_LENGTH = 100
# Context managers entered around every import, registered by the areas above (the search
# index batches its work there: poles/registry/search/signals.py), which this module ignores.
IMPORT_BATCHES: list[Callable[[], AbstractContextManager]] = []


def key_of(values) -> tuple:
    return tuple(value.pk if isinstance(value, models.Model) else value for value in values)


class PreloadedInstanceLoader(instance_loaders.ModelInstanceLoader):
    """Rows found by several key columns (a membership by pole, organisation and role) from
    one query for the whole file (``RegistryResource.preload``), not one per row; a key that
    names no known pole or organisation is reported with its column by ``import_instance``."""

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.fields = [resource.fields[name] for name in resource.get_import_id_fields()]
        self.known = {
            key_of(field.get_value(instance) for field in self.fields): instance
            for instance in resource.preload(dataset)
        }

    def get_instance(self, row):
        try:
            key = key_of(field.clean(row) for field in self.fields)
        except ValueError:
            return None
        return self.known.get(key)


class RegistryResource(resources.ModelResource):
    """Subclasses declare their fields (``column_name``: the French header) and set
    ``required_columns`` and ``row_key()`` (the natural key, to find repeated rows)."""

    required_columns: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        skip_html_diff = True
        store_instance = True
        chunk_size = 1000

    # -- the file as a whole ----------------------------------------------------------------------

    def importable_fields(self) -> list:
        """The columns an import writes (read for every row: computed once)."""
        if getattr(self, "_importable", None) is None:
            self._importable = [field for field in self.get_import_fields() if not field.readonly]
        return self._importable

    def column_of(self, attribute: str) -> str | None:
        for field in self.fields.values():
            if field.attribute == attribute:
                return str(field.column_name)
        return None

    def normalise_headers(self, dataset) -> None:
        """Headers as the resource names them, whatever their accents, case or spaces; a
        header may also be the model field's name (``slug`` for « identifiant »); each once."""
        names = {}
        for name, field in self.fields.items():
            column = str(field.column_name)
            names.setdefault(fold(column), column)
            names.setdefault(fold(name), column)
            with translation.override("fr"):  # a French file, whatever the page's language
                names.setdefault(fold(field.column_name), column)
        dataset.headers = [names.get(fold(header), header) for header in dataset.headers]
        refuse_repeated_columns(dataset.headers, set(names.values()))

    def scoped(self, queryset):
        """The rows of ``queryset`` the importing account sees: the only ones a file finds."""
        return scope().visible(queryset, getattr(self, "user", None))

    def get_queryset(self):
        """The rows a file's keys find (the instance loaders'), within the scope."""
        return self.scoped(super().get_queryset())

    def preload(self, dataset):
        """The rows of the database the file may name (``PreloadedInstanceLoader``)."""
        return self.get_queryset()

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """``full_clean()``, without two checks the import already made, each a query per row:
        that a related row exists (the widgets took it from the database), and a uniqueness
        over the row's key columns (``PreloadedInstanceLoader`` read the file's keys' rows, so
        a new row's key is free; ``check_file`` refused a key repeated in the file; a row saved
        meanwhile is ``row_error``'s). Every other constraint is checked."""
        errors = dict(import_validation_errors or {})
        trusted = {
            field.attribute
            for field in self.importable_fields()
            if isinstance(field.widget, widgets.ForeignKeyWidget)
            and not isinstance(field.widget, widgets.ManyToManyWidget)
            and getattr(instance, instance._meta.get_field(field.attribute).attname) is not None
        }
        try:
            instance.full_clean(exclude=set(errors) | trusted, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        keys = set()
        if issubclass(self._meta.instance_loader_class, PreloadedInstanceLoader):
            keys = {self.fields[name].attribute for name in self.get_import_id_fields()}
        for field, found in validate_constraints(
            instance, set(errors) | keys, router.db_for_write(type(instance))
        ).items():
            errors.setdefault(field, []).extend(found)
        if errors:
            raise ValidationError(errors)

    def row_key(self, row: dict):
        """The row's natural key, to refuse a key repeated within the file (None: no key)."""
        return None

    def check_file(self, dataset) -> None:
        self.normalise_headers(dataset)
        missing = [str(c) for c in self.required_columns if str(c) not in dataset.headers]
        if missing:
            raise ImportFileError(
                _("Colonnes obligatoires absentes : %(columns)s. Partez du modèle de fichier.")
                % {"columns": ", ".join(f"« {column} »" for column in missing)}
            )
        rows = dataset.dict
        warm_keys([self.fields[name] for name in self.get_import_id_fields()], rows)
        lines = defaultdict(list)
        for number, row in enumerate(rows, 1):
            key = self.row_key(row)
            if key is not None:
                lines[key].append(file_line(dataset, number))
        repeated = [numbers for numbers in lines.values() if len(numbers) > 1]
        if repeated:
            raise ImportFileError(
                _(
                    "Le même élément apparaît plusieurs fois dans le fichier (lignes %(lines)s) : "
                    "gardez une seule ligne par élément."
                )
                % {"lines": " ; ".join(", ".join(map(str, n)) for n in repeated[:10])}
            )

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        self.user, self.dataset = kwargs.get("user"), dataset
        self.file_name = kwargs.get("file_name") or ""
        self.pending_history: dict[str, list] = defaultdict(list)
        self.changed_poles: set[int | None] = set()
        for field in self.fields.values():
            if hasattr(field.widget, "reset"):
                field.widget.reset(self.user)
        try:
            self.check_file(dataset)
        except ImportFileError as error:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(Error(error))
            return result
        # Column names are read for every cell: plain strings (this instance's fields).
        for field in self.fields.values():
            field.column_name = str(field.column_name)
        kwargs.setdefault("rollback_on_validation_errors", True)
        with ExitStack() as batches:
            for batch in IMPORT_BATCHES:
                batches.enter_context(batch())
            return super().import_data(
                dataset, dry_run=dry_run, raise_errors=raise_errors, **kwargs
            )

    # -- each row ---------------------------------------------------------------------------------

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        self.before = {} if new else self.snapshot(instance)
        self.found_out_of_scope = not new and not scope().allows(instance, self.user)
        return instance, new

    def snapshot(self, instance) -> dict[str, str]:
        return {
            str(field.column_name): text_of(field.export(instance))
            for field in self.importable_fields()
        }

    def import_instance(self, instance, row, **kwargs):
        """The library's, with many-to-many cells and derived values checked before the row
        is saved, so that their errors are reported like the others."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.importable_fields():
            if isinstance(field.widget, widgets.ManyToManyWidget) and field.column_name in row:
                try:
                    field.clean(row)
                except ValueError as error:
                    errors[field.attribute] = [str(error)]
        if not errors:
            errors = self.derive(instance, row)
        if not errors and (self.found_out_of_scope or not scope().allows(instance, self.user)):
            errors = {NON_FIELD_ERRORS: [OUT_OF_SCOPE]}
        if errors:
            raise ValidationError(errors)

    def derive(self, instance, row) -> dict:
        """Values that follow from others (a commune's region and point); the errors found."""
        return {}

    def has_many_to_many(self) -> bool:
        """Whether a row's version waits for its many-to-many cells (read per saved row)."""
        if getattr(self, "_has_many_to_many", None) is None:
            self._has_many_to_many = any(
                isinstance(field.widget, widgets.ManyToManyWidget)
                for field in self.importable_fields()
            )
        return self._has_many_to_many

    def save_instance(self, instance, is_create, row, **kwargs):
        """Saved without simple-history's signals, the version recorded once the row is
        whole (``save_m2m``): a model with many-to-many fields gets one version holding them
        (instead of one at the save, with the fields as they were, and one more at each
        many-to-many change); the others' versions are written together at the end
        (``after_import``). A dry run, rolled back anyway, records none."""
        if history_recorder(type(instance)) is not None:
            instance.skip_history_when_saving = True
            instance._import_history_type = "+" if is_create else "~"
        super().save_instance(instance, is_create, row, **kwargs)

    def save_m2m(self, instance, row, **kwargs):
        try:
            super().save_m2m(instance, row, **kwargs)
        finally:
            history_type = instance.__dict__.pop("_import_history_type", None)
            instance.__dict__.pop("skip_history_when_saving", None)
        if history_type is None or self._is_dry_run(kwargs):
            return
        self.changed_poles.add(self.pole_id_of(instance))
        if self.has_many_to_many():
            history_recorder(type(instance)).create_historical_record(instance, history_type)
        else:
            self.pending_history[history_type].append(instance)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for history_type, instances in self.pending_history.items():
            manager = getattr(
                self._meta.model, self._meta.model._meta.simple_history_manager_attribute
            )
            manager.bulk_history_create(instances, update=history_type == "~", batch_size=500)
        self.pending_history.clear()
        # Their pages' « mis à jour » date (rolled back with the rest on an error).
        content_changed(self._meta.model, self.changed_poles)
        self.changed_poles.clear()

    def pole_id_of(self, instance) -> int | None:
        """The pole whose public page shows this row (None: no pole's)."""
        return getattr(instance, "pole_id", None)

    def before_save_instance(self, instance, row, **kwargs):
        user = kwargs.get("user")
        if user is not None and user.is_authenticated:
            instance._history_user = user
        reason = _("Import de %(file)s") % {"file": self.file_name or _("fichier")}
        instance._change_reason = reason[:REASON_LENGTH]

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        line = file_line(self.dataset, kwargs.get("row_number", 0))
        row_result.line = line
        row_result.status = STATUS_LABELS.get(row_result.import_type, "")
        row_result.changes = []
        row_result.messages = self.error_messages(row_result, row, line)
        instance = getattr(row_result, "instance", None)
        if row_result.import_type == RowResult.IMPORT_TYPE_UPDATE and instance is not None:
            after = self.snapshot(instance)
            row_result.changes = [
                (column, self.before.get(column, ""), value)
                for column, value in after.items()
                if self.before.get(column, "") != value
            ]
        elif row_result.import_type == RowResult.IMPORT_TYPE_NEW and instance is not None:
            row_result.changes = [
                (str(field.column_name), "", value)
                for field in self.importable_fields()
                if not isinstance(field.widget, widgets.ManyToManyWidget)
                and (value := text_of(field.export(instance)))
            ]
        return row_result

    def error_messages(self, row_result, row, line: int) -> list[str]:
        messages = [
            _("ligne %(line)s : %(error)s") % {"line": line, "error": row_error(error.error)}
            for error in row_result.errors
        ]
        if row_result.validation_error is None:
            return messages
        error = row_result.validation_error
        items = (
            error.message_dict.items()
            if hasattr(error, "error_dict")
            else [(NON_FIELD_ERRORS, error.messages)]
        )
        for attribute, texts in items:
            column = self.column_of(attribute)
            value = text_of(row.get(column)) if column else ""
            for text in texts:
                messages.append(self.located(line, column, value, text))
        return messages

    @staticmethod
    def located(line: int, column: str | None, value: str, text: str) -> str:
        """« ligne 14, colonne « SIREN » : « 12345678 » n'est pas valide. Un numéro… »"""
        if column is None:
            return _("ligne %(line)s : %(message)s") % {"line": line, "message": text}
        if value and value not in text:
            text = _("« %(value)s » n'est pas valide. %(message)s") % {
                "value": value,
                "message": text,
            }
        return _("ligne %(line)s, colonne « %(column)s » : %(message)s") % {
            "line": line,
            "column": column,
            "message": text,
        }


def summary(result) -> dict[str, int]:
    totals = result.totals
    return {
        "new": totals[RowResult.IMPORT_TYPE_NEW],
        "changed": totals[RowResult.IMPORT_TYPE_UPDATE],
        "unchanged": totals[RowResult.IMPORT_TYPE_SKIP],
        "errors": totals[RowResult.IMPORT_TYPE_INVALID] + totals[RowResult.IMPORT_TYPE_ERROR],
    }


def file_errors(result) -> list[str]:
    """The errors about the file as a whole (columns, repeated keys)."""
    messages = []
    for error in result.base_errors:
        exc = error.error
        messages.extend(exc.messages if isinstance(exc, ValidationError) else [str(exc)])
    return messages


def all_errors(result) -> list[str]:
    return [*file_errors(result), *(m for row in result.rows for m in getattr(row, "messages", []))]

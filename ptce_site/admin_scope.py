"""Every admin page within the staff account's scope (``ptce_site.scope``: a regional curator's
regions), given by the site (``admin_site.PtceAdminSite.register``) to every registered admin
and its inlines, so that a new model is covered without a line here:

- lists, autocomplete results, bulk actions' selections, exports and the titles' counts read
  ``get_queryset()``, which keeps the rows in scope (inlines too);
- every page of one object (change, delete, history, revert, the decision pages: any admin URL
  with an ``object_id``) answers 404 for a row out of scope, as for a row that does not exist
  (``ensure_visible``, called by the site before the view): never a 403 that would confirm it
  exists, never a change;
- the forms offer only the related rows in scope (plus those already chosen) and refuse to save
  an object that would leave the scope (a pole moved to another region, by its region or its
  commune, or reverted to a version of another region);
- reference data (regions, sectors, calls...) is read-only for a limited account.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.forms import ModelChoiceField
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .scope import scope

OUT_OF_SCOPE = _(
    "Vous ne pouvez enregistrer ici que ce qui relève de vos régions : choisissez une de vos "
    "régions (ou un pôle de vos régions)."
)


def _current_keys(instance, name: str) -> list:
    """The keys the object holds in its field ``name`` (none for a new object): kept among the
    choices, so that an object linked to a row out of scope can still be saved. Never the
    initial values of a query string, which would show the names of rows out of scope."""
    if instance is None or instance.pk is None:
        return []
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return []
    if field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    return [getattr(instance, field.attname, None)]


class ScopedFormMixin:
    """Related fields limited to the rows in scope, and the object kept in scope."""

    scope_user = None
    check_scope = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = scope()
        for name, field in self.fields.items():
            if isinstance(field, ModelChoiceField) and rule.restricts(field.queryset.model):
                also = _current_keys(getattr(self, "instance", None), name)
                field.queryset = rule.visible(field.queryset, self.scope_user, also=also)

    def _post_clean(self):
        super()._post_clean()
        if self.check_scope and not scope().allows(self.instance, self.scope_user):
            self._update_errors({NON_FIELD_ERRORS: [OUT_OF_SCOPE]})


def scoped_form(form_class, user, *, check_scope: bool = True):
    """``form_class`` within ``user``'s scope (itself when the user is not limited)."""
    if not scope().limited(user):
        return form_class
    attributes = {"scope_user": user, "check_scope": check_scope, "__module__": __name__}
    return type(form_class.__name__, (ScopedFormMixin, form_class), attributes)


class _WritePermissions:
    def has_add_permission(self, request, *args) -> bool:
        allowed = super().has_add_permission(request, *args)
        return allowed and scope().may_write(self.model, request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and scope().may_write(self.model, request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and scope().may_write(self.model, request.user)


class ScopedAdmin(_WritePermissions):
    """For a ModelAdmin (given by the site)."""

    def get_queryset(self, request):
        return scope().visible(super().get_queryset(request), request.user)

    def get_form(self, request, obj=None, **kwargs):
        return scoped_form(super().get_form(request, obj, **kwargs), request.user)


class ScopedInline(_WritePermissions):
    """For an inline (given by the site with its ModelAdmin)."""

    def get_queryset(self, request):
        return scope().visible(super().get_queryset(request), request.user)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # The row's parent is checked by the main form; its other relations by their choices.
        formset.form = scoped_form(formset.form, request.user, check_scope=False)
        return formset


def scoped_inline(inline_class):
    if issubclass(inline_class, ScopedInline):
        return inline_class
    attributes = {"__module__": inline_class.__module__, "__doc__": inline_class.__doc__}
    return type(inline_class.__name__, (ScopedInline, inline_class), attributes)


def ensure_visible(request, model_admin, object_id: str) -> None:
    """A 404 for a limited account asking for a row out of its scope (or no row at all)."""
    if not scope().limited(request.user):
        return
    key = model_admin.model._meta.pk
    while key.remote_field is not None:  # a child model's link to its parent
        key = key.target_field
    try:
        pk = key.to_python(unquote(object_id))
        key.run_validators(pk)
    except (ValidationError, TypeError, ValueError):  # what the key cannot hold is no row
        raise Http404 from None
    if not model_admin.get_queryset(request).filter(pk=pk).exists():
        raise Http404

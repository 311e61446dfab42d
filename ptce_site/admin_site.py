"""The admin site, and the admin widgets, hardened against hand-made query strings and forms.

Django's admin answers some values no browser sends with a 500 (Django 6.1); found by
``tests/test_hostile_urls.py``, which walks every admin page with hostile values, and by hand
(``tests/test_admin_hostile.py``):

- an empty ``_to_field`` (``…/change/?_to_field=``) on a change or delete page: Django looks
  the object up by a field named ``''``. Any other field that may not be referenced is refused
  with a 400 (``DisallowedModelAdminToField``); so is an empty one here;
- a lookup in a changelist's query string that Django accepts (any lookup on the model's own
  fields: a stock feature) but that fails when the rows are counted: ``?name__regex=(``,
  ``?name__range=1,2``, ``?updated_at__year=-1`` on a date field that is not the date
  hierarchy (or one too large for ``datetime`` on it), ``?created_at__iso_year=-5``,
  ``?region__exact=99999999999999999999`` or ``?name__unaccent=a`` (on SQLite)... Django
  turns the errors raised while it builds the queryset into its "invalid filter" answer (the
  changelist unfiltered, ``?e=1``), not those raised when it runs (a database error,
  ``ValueError``, ``OverflowError``, ``IndexError``...). So a changelist asked with lookups is
  first built, its rows counted and read, in a savepoint (a failed statement aborts a
  PostgreSQL transaction); if that fails, the answer is ``?e=1``, to a bulk action's post too,
  before the action runs. Restricting the lookups to those of the list filters
  (``lookup_allowed``) was not chosen: every link that Django (related-lookup popups with
  ``limit_choices_to``), the project (``?status__exact=pending`` in e-mails) or a curator
  builds would have to be foreseen, and an allowed lookup can still fail;
- a bulk action's selection (``_selected_action``) that is no key (``abc``, ``1.5``, ``²``,
  empty, a number too large for the column): Django filters the rows with ``pk__in`` and
  ``int()`` or the database fails. Such values select no row, like a deleted row's key: the
  action runs on the others, or Django says that nothing was selected;
- the same lookups on an import-export admin's « Exporter » page (``export/?name__regex=(``),
  which reads the list's query string and answered 500 or 503: the list's ``?e=1`` answer;
- a NUL character in a query string (``?publisher=a%00``, ``?outcome__exact=a%00``): the
  list filters and the search hand it to the database, and PostgreSQL refuses NUL in text. No
  browser sends one: the admin answers 400, like Django's own bad requests;
- an autocomplete field re-rendered with a value that is no key (a posted ``region=abc`` or
  ``sectors=99999999999999999999``, or the same in the add page's query string): Django
  filters the related rows by the raw value to show the selection, and the database refuses it.
  ``RelatedKeysMixin`` gives the project's admins widgets that leave such values out (the form
  still says the choice is invalid), and many-to-many fields that refuse them before any query;
- a forged inline management form (``…-TOTAL_FORMS=99999999``) made Django build and render
  2,000 inline forms (10 to 20 s): the project's ``TabularInline`` bounds them.

Django's « Voir sur le site » redirect (``/admin/r/<type>/<id>/``) checks no permission and no
scope: here it answers only for an object the account may see in its model's admin (404
otherwise, as every page of one object).

The site's class is the admin's default site through ``PtceAdminConfig.default_site``, so that
every registered admin, Django's and django-axes' included, goes through ``admin_view``.
"""

from __future__ import annotations

import logging
from functools import wraps

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR, IncorrectLookupParameters
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.contrib.admin.views.main import ERROR_FLAG, IGNORED_PARAMS, PAGE_VAR
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import (
    BadRequest,
    ImproperlyConfigured,
    PermissionDenied,
    SuspiciousOperation,
    ValidationError,
)
from django.db import router, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse

from .admin_scope import ScopedAdmin, ensure_visible, scoped_inline
from .admin_wording import AgreeingWords
from .forms import BoundedInlineFormSet, KeyedModelMultipleChoiceField

logger = logging.getLogger(__name__)

# A changelist's own parameters; Django hands every other one to the queryset as a lookup.
NOT_LOOKUPS = {*IGNORED_PARAMS, PAGE_VAR, ERROR_FLAG}
# What the changelist view answers itself (the ``?e=1`` redirect, a 400, a 403, a 404).
ANSWERED_BY_THE_VIEW = (
    IncorrectLookupParameters,
    SuspiciousOperation,
    ImproperlyConfigured,
    PermissionDenied,
    BadRequest,
    Http404,
)


def _holds(key, value) -> bool:
    """Whether the key field ``key`` can hold ``value`` (a text from a form or a query string)."""
    try:
        key.run_validators(key.to_python(value))
    except (ValidationError, TypeError, ValueError):
        return False
    return True


def _drop_unusable_selection(request, model_admin) -> None:
    """Leave out of a bulk action's selection the values no key of the model can hold."""
    selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
    key = model_admin.model._meta.pk
    while key.remote_field is not None:  # a child model's link to its parent
        key = key.target_field
    keys = [value for value in selected if _holds(key, value)]
    if len(keys) != len(selected):
        post = request.POST.copy()
        post.setlist(helpers.ACTION_CHECKBOX_NAME, keys)
        request.POST = post


def _lookups_to_try(request, permitted) -> bool:
    """Whether the query string holds lookups to try, for an account the view lets in."""
    return not all(name in NOT_LOOKUPS for name in request.GET) and permitted(request)


def _failure_in_savepoint(model_admin, read, answered) -> Exception | None:
    """What ``read()`` raised, run in a savepoint (a failed statement aborts a PostgreSQL
    transaction), other than the ``answered`` errors, which the view answers as Django does;
    None when it ran."""
    try:
        with transaction.atomic(using=router.db_for_read(model_admin.model)):
            read()
    except answered:
        return None
    except Exception as error:  # whatever the database, its driver or the SQL compiler raised
        return error
    return None


def _export_lookups_fail(request, model_admin) -> bool:
    """Whether the export page's rows (the changelist's, filtered by the same query string)
    cannot be counted with its lookups; the export view answers none of their errors."""
    if not _lookups_to_try(request, model_admin.has_export_permission):
        return False

    def count():  # building the queryset may fail too (IncorrectLookupParameters)
        model_admin.get_export_queryset(request).count()

    return _failure_in_savepoint(model_admin, count, (PermissionDenied, Http404)) is not None


def _lookups_fail(request, model_admin) -> bool:
    """Whether the changelist's rows cannot be counted and read with the query string's
    lookups."""
    if not _lookups_to_try(request, model_admin.has_view_or_change_permission):
        return False

    def read():
        changelist = model_admin.get_changelist_instance(request)
        len(changelist.result_list)
        # Read whole: the view reads this list rather than building and reading it again
        # (_ReusesCheckedList).
        request._checked_changelist = (model_admin, changelist)

    error = _failure_in_savepoint(model_admin, read, ANSWERED_BY_THE_VIEW)
    if error is not None:
        logger.warning(
            "Changelist shown unfiltered, lookups the database cannot run: %s",
            request.get_full_path(),
            exc_info=error,
        )
        return True
    return False


def _refuse_unusable_parameters(view):
    """Refuse, as Django refuses their other bad values, the parameters it would fail on."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if any("\x00" in text for key, values in request.GET.lists() for text in (key, *values)):
            raise BadRequest("NUL character in the query string.")
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field == "":
            raise DisallowedModelAdminToField("The field '' cannot be referenced.")
        model_admin = getattr(view, "__self__", None)
        if isinstance(model_admin, admin.ModelAdmin) and "object_id" in kwargs:
            ensure_visible(request, model_admin, kwargs["object_id"])  # 404 out of scope
        if getattr(view, "__name__", "") == "export_action" and _export_lookups_fail(
            request, model_admin
        ):
            # Django's answer to a list's invalid filter: the list unfiltered, saying so.
            changelist = reverse(admin_urlname(model_admin.opts, "changelist"))
            return HttpResponseRedirect(f"{changelist}?{ERROR_FLAG}=1")
        if getattr(view, "__name__", "") != "changelist_view":
            return view(request, *args, **kwargs)
        if _lookups_fail(request, model_admin):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        if request.method == "POST":
            _drop_unusable_selection(request, model_admin)
        return view(request, *args, **kwargs)

    return checked


class _ReusesCheckedList:
    """The changelist that ``_lookups_fail`` built and read to try the query string's lookups,
    given to the view instead of a second one: a filtered list ran its queries twice (a
    filtered list of poles: 18 queries, now 13)."""

    def get_changelist_instance(self, request):
        checked = getattr(request, "_checked_changelist", None)
        if checked is not None and checked[0] is self:
            del request._checked_changelist
            return checked[1]
        return super().get_changelist_instance(request)


class PtceAdminSite(admin.AdminSite):
    def admin_view(self, view, cacheable=False):
        return super().admin_view(_refuse_unusable_parameters(view), cacheable)

    def get_urls(self):
        return [
            path(
                "r/<int:content_type_id>/<path:object_id>/",
                self.admin_view(self.view_on_site),
                name="view_on_site",
            )
            if getattr(pattern, "name", None) == "view_on_site"
            else pattern
            for pattern in super().get_urls()
        ]

    def view_on_site(self, request, content_type_id: int, object_id: str):
        """Django's « Voir sur le site » redirect, for an object the account may see in the
        admin (Django's checks nothing: walking the ids gave any staff account the address,
        so the name, of every object, a regional curator's other regions' included)."""
        try:
            model = ContentType.objects.get_for_id(content_type_id).model_class()
        except ContentType.DoesNotExist:
            raise Http404 from None
        model_admin = self._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(request):
            raise Http404
        ensure_visible(request, model_admin, object_id)  # 404 out of scope
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every admin, Django's and django-axes' included, with labels that agree, and within
        # the account's scope, inlines included (admin_scope.py).
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AgreeingWords):
            admin_class = type(
                admin_class.__name__,
                (AgreeingWords, _ReusesCheckedList, ScopedAdmin, admin_class),
                {
                    "__module__": admin_class.__module__,
                    "__doc__": admin_class.__doc__,
                    "inlines": [scoped_inline(inline) for inline in admin_class.inlines],
                },
            )
        super().register(model_or_iterable, admin_class, **options)


class _SelectsOnlyKeys:
    """Show as selected only the values that the related model's key can hold; the objects
    in ``known`` (by key, as text: an inline row's own, ``ptce_site.forms``) without reading
    them again, so that an inline's rows cost no query each."""

    known: dict | None = None

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.attname)
        value = [item for item in value if _holds(key, item)]
        known = self.known or {}
        if not value or not all(str(item) in known for item in value):
            return super().optgroups(name, value, attr)
        selected = {str(item) for item in value}
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for item in dict.fromkeys(str(item) for item in value):  # in order, once each
            obj = known[item]
            label = self.choices.field.label_from_instance(obj)
            options.append(
                self.create_option(name, getattr(obj, key.attname), label, selected, len(options))
            )
        return [(None, options, 0)]


class SafeAutocompleteSelect(_SelectsOnlyKeys, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(_SelectsOnlyKeys, AutocompleteSelectMultiple):
    pass


class RelatedKeysMixin:
    """For ModelAdmins and inlines: autocomplete widgets that show only real keys, and
    many-to-many fields that refuse values no key can hold (``ptce_site.forms``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        kwargs.setdefault("form_class", KeyedModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TabularInline(RelatedKeysMixin, admin.TabularInline):
    """The project's inlines: related keys as above, and at most the object's rows plus
    ``BoundedInlineFormSet.new_forms_limit`` forms built, whatever the post says."""

    formset = BoundedInlineFormSet

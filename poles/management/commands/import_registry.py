"""``manage.py import_registry FILE [--dry-run] [--model …] [--user …]``: the admin's bulk import
from the command line (the first load of a network's spreadsheet), with the same checks
(``ptce_site.imports``), resources and report.

The kind of rows is found from the file's columns (the resource whose required columns are
all there and that knows most of the columns), or given with ``--model``.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from calls.resources import ApplicationResource
from members.resources import MembershipResource, OrganisationResource
from ptce_site.import_widgets import fold
from ptce_site.imports import ImportFileError, check_size, read_table
from ptce_site.resources import file_errors, summary

from ...registry.resources import PoleResource

RESOURCES = {
    "poles": PoleResource,
    "organisations": OrganisationResource,
    "adhesions": MembershipResource,
    "candidatures": ApplicationResource,
}


def detect(headers: list[str]) -> str | None:
    """The kind of rows whose columns the headers fit best, or None if unclear."""
    folded = {fold(header) for header in headers}
    scores = {}
    for kind, resource_class in RESOURCES.items():
        resource = resource_class()
        if not all(fold(column) in folded for column in resource.required_columns):
            continue
        known = {fold(field.column_name) for field in resource.fields.values()}
        scores[kind] = len(folded & known) - len(known - folded) / 100
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]


class Command(BaseCommand):
    help = (
        "Importe un fichier CSV, XLSX ou ODS de pôles, d'organisations, d'adhésions ou de "
        "candidatures, comme l'import de l'administration ; --dry-run montre ce qui changerait "
        "sans rien enregistrer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Le fichier à importer (CSV, XLSX ou ODS).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Vérifie et décrit l'import sans rien écrire."
        )
        parser.add_argument(
            "--model",
            choices=sorted(RESOURCES),
            help="Le type de lignes (par défaut, reconnu d'après les colonnes).",
        )
        parser.add_argument(
            "--user", help="Le compte à qui l'historique attribue les modifications."
        )

    def handle(self, *args, file, dry_run=False, model=None, user=None, verbosity=1, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {file}")
        account = self.account(user)
        try:
            check_size(path.stat().st_size)
            dataset = read_table(path.read_bytes())
        except ImportFileError as error:
            raise CommandError(" ".join(error.messages)) from None
        kind = model or detect(dataset.headers)
        if kind is None:
            raise CommandError(
                "Type de lignes non reconnu d'après les colonnes : précisez --model "
                f"({', '.join(sorted(RESOURCES))})."
            )
        result = RESOURCES[kind]().import_data(
            dataset, dry_run=dry_run, file_name=path.name, user=account
        )
        self.report(kind, result, dry_run, verbosity)

    def account(self, username: str | None):
        if not username:
            return None
        try:
            return get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"Aucun compte ne porte le nom {username!r}.") from None

    def report(self, kind: str, result, dry_run: bool, verbosity: int) -> None:
        for row in result.rows:
            if row.messages:
                for message in row.messages:
                    self.stderr.write(message)
            elif verbosity > 1 or (verbosity and row.changes and row.import_type != "new"):
                details = "; ".join(f"{c} : {b} → {a}" for c, b, a in row.changes)
                name = row.object_repr or ""
                self.stdout.write(f"ligne {row.line} : {row.status} {name} {details}")
        for message in file_errors(result):
            self.stderr.write(message)
        counts = summary(result)
        line = (
            f"{kind} : {counts['new']} nouveau(x), {counts['changed']} modifié(s), "
            f"{counts['unchanged']} inchangé(s), {counts['errors']} en erreur."
        )
        if result.has_errors() or result.has_validation_errors():
            raise CommandError(f"{line} Import annulé : rien n'a été enregistré.")
        suffix = " (essai : rien n'a été enregistré)" if dry_run else ""
        self.stdout.write(self.style.SUCCESS(line + suffix))

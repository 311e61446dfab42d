from django.core.management.base import BaseCommand

from poles.registry.search import rebuild_index


class Command(BaseCommand):
    help = (
        "Reconstruit l'index de recherche de l'annuaire (documents des pôles et vocabulaire) "
        "à partir des données : après un chargement en masse qui n'est pas passé par le code."
    )

    def handle(self, *args, verbosity=1, **options):
        count = rebuild_index()
        if verbosity:
            message = f"Index de recherche reconstruit : {count} pôles."
            self.stdout.write(self.style.SUCCESS(message))

from django.core.management.base import BaseCommand, CommandError

from ptce_site.seed import SeedError, load_seed_data


class Command(BaseCommand):
    help = (
        "Charge les données de référence (18 régions, 27 anciennes régions) et le registre tiré "
        "des documents sources. Idempotent : une seconde exécution ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help=(
                "Remet aussi les pôles, organisations et appels déjà présents dans l'état des "
                "documents sources (par défaut, les modifications de l'équipe du registre sont "
                "conservées)."
            ),
        )
        parser.add_argument(
            "--skip-communes",
            action="store_true",
            help="Ne charge pas la table des communes (35 000 lignes) : pour les tests rapides.",
        )

    def handle(self, *args, update=False, skip_communes=False, verbosity=1, **options):
        try:
            report = load_seed_data(update=update, communes=not skip_communes)
        except SeedError as error:
            raise CommandError(str(error)) from error
        if verbosity:
            for line in report.lines():
                self.stdout.write(line)
            self.stdout.write(self.style.SUCCESS("Données de référence et registre chargés."))

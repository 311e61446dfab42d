"""``python -m bench``: the benchmark at scale (see run.py and the README's "Benchmark")."""

from __future__ import annotations

import argparse
import os
import sys


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Génère un registre synthétique (10 000 pôles…) dans une base PostgreSQL dédiée, "
            "lance gunicorn et mesure chaque page sous charge (make bench)."
        ),
    )
    parser.add_argument("--seconds", type=int, default=5, help="Durée de charge par URL.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--regenerate", action="store_true", help="Recrée la base et régénère les données."
    )
    parser.add_argument(
        "--data-only",
        action="store_true",
        help="Prépare la base et les données, sans lancer la charge (make drill).",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = arguments(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce_site.settings")
    import django

    django.setup()
    from .run import main as run

    return run(
        seconds=options.seconds,
        connections=options.connections,
        regenerate=options.regenerate,
        data_only=options.data_only,
    )


if __name__ == "__main__":
    sys.exit(main())

"""``python -m bench``: the benchmark at scale (see run.py and the README's "Benchmark")."""

from __future__ import annotations

import argparse
import os
import sys


def scales(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError("des nombres de pôles séparés par des virgules") from None
    if not values or min(values) < 100:
        raise argparse.ArgumentTypeError("au moins 100 pôles par échelle")
    return values


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Génère un registre synthétique (10 000 pôles…) dans une base PostgreSQL dédiée, "
            "mesure chaque page construite en processus, puis sous charge avec gunicorn "
            "(make bench) ; chaque chiffre à côté de son objectif et du précédent."
        ),
    )
    parser.add_argument("--seconds", type=int, default=5, help="Durée de charge par URL.")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--scale", type=scales, default=None,
        help="Nombres de pôles, p. ex. 1000,10000 : une base par échelle (ptce_bench_1000…), "
        "mesures en processus côte à côte ; la charge sur la plus grande.",
    )
    parser.add_argument("--runs", type=int, default=15,
                        help="Constructions de chaque page en processus (la médiane).")
    parser.add_argument("--in-process", action="store_true",
                        help="Seulement les mesures en processus, sans gunicorn ni charge.")
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
        scales=options.scale,
        runs=options.runs,
        seconds=options.seconds,
        connections=options.connections,
        regenerate=options.regenerate,
        data_only=options.data_only,
        in_process=options.in_process,
    )


if __name__ == "__main__":
    sys.exit(main())

"""``python -m bench.imports``: how long the bulk import takes (issue #12: 1,000 poles with
10,000 memberships in under a minute), on the database of ``DATABASE_URL`` (migrated, with the
reference data: ``load_seed_data --skip-communes`` is enough).

It writes three CSV files like a network's spreadsheet (1,000 poles, 2,000 organisations with
SIRENs, 10,000 memberships), imports them with ``manage.py import_registry`` as a curator
would, then imports them again (nothing must change), and prints the times. Everything runs in
one transaction rolled back at the end: the database is left as it was.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from bench.generate import valid_siren


def write_files(folder: Path, poles: int, organisations: int, per_pole: int) -> list[Path]:
    rng = random.Random(12)
    regions = ["84", "27", "53", "24", "44", "32", "11", "28", "75", "76", "52", "93"]
    statuses = ["En projet", "Opérationnel", "En sommeil"]
    lines = ["nom;statut;région;territoire;latitude;longitude;secteurs;année de création"]
    for index in range(poles):
        lines.append(
            f'"Pôle de banc {index}";"{rng.choice(statuses)}";"{rng.choice(regions)}";'
            f'"Territoire {index}";{45 + rng.random():.4f}'.replace(".", ",")
            + f";{2 + rng.random():.4f}".replace(".", ",")
            + ';"Agriculture, Bois";2015'
        )
    (folder / "poles.csv").write_text("\n".join(lines), encoding="utf-8")
    lines = ["nom;type;SIREN;forme juridique"]
    sirens = [valid_siren(60_000_000 + index) for index in range(organisations)]
    for index, siren in enumerate(sirens):
        lines.append(f'"Organisation de banc {index}";"Entreprise de l\'ESS";"{siren}";"SCOP"')
    (folder / "organisations.csv").write_text("\n".join(lines), encoding="utf-8")
    lines = ["pôle;organisation;rôle;arrivée le"]
    for index in range(poles):
        for siren in rng.sample(sirens, per_pole):
            lines.append(f'"pole-de-banc-{index}";"{siren}";"Membre";"01/02/2016"')
    (folder / "adhesions.csv").write_text("\n".join(lines), encoding="utf-8")
    return [folder / "organisations.csv", folder / "poles.csv", folder / "adhesions.csv"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.imports", description=__doc__)
    parser.add_argument("--poles", type=int, default=1_000)
    parser.add_argument("--organisations", type=int, default=2_000)
    parser.add_argument("--per-pole", type=int, default=10)
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ptce_site.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test.utils import override_settings

    # DEBUG off, as in production: with it, Django also records every query.
    with (
        override_settings(DEBUG=False),
        tempfile.TemporaryDirectory() as folder,
        transaction.atomic(),
    ):
        files = write_files(Path(folder), options.poles, options.organisations, options.per_pole)
        print(
            f"{connection.vendor}: {options.poles} poles, {options.organisations} "
            f"organisations, {options.poles * options.per_pole} memberships"
        )
        for attempt in ("first import", "same files again"):
            started, cpu = time.perf_counter(), time.process_time()
            for path in files:
                begun, begun_cpu = time.perf_counter(), time.process_time()
                call_command("import_registry", str(path), verbosity=0)
                print(
                    f"  {attempt}: {path.name} {time.perf_counter() - begun:.1f} s "
                    f"({time.process_time() - begun_cpu:.1f} s of this process's CPU)"
                )
            # The machine's load says how much the wall-clock figures were slowed by others.
            print(
                f"{attempt}: {time.perf_counter() - started:.1f} s in all, "
                f"{time.process_time() - cpu:.1f} s CPU; load average {os.getloadavg()[0]:.1f}"
            )
        transaction.set_rollback(True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

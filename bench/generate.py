"""Synthetic registry at scale for the benchmark: poles, organisations, memberships, calls and
applications with realistic French names, written with ``bulk_create``.

Deterministic (seeded): two runs give the same data. Respects every constraint: unique slugs,
one membership per (pole, organisation, role), one application per (call, pole), SIRENs valid
(Luhn) and unique when present, selected <= eligible <= received.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.text import slugify

PLACES = [
    "Val de Loire", "Pays Basque", "Cévennes", "Haute-Provence", "Morvan", "Vercors",
    "Pays de Caux", "Bocage normand", "Côte d'Opale", "Pays de Brest", "Trégor", "Cornouaille",
    "Pays nantais", "Vendée", "Poitou", "Limousin", "Périgord", "Quercy", "Lauragais",
    "Pays catalan", "Camargue", "Lubéron", "Drôme provençale", "Beaujolais", "Bresse",
    "Jura", "Doubs", "Vosges", "Alsace du Nord", "Lorraine", "Ardennes", "Champagne",
    "Pays de Bray", "Vexin", "Brie", "Gâtinais", "Sologne", "Berry", "Bourbonnais",
    "Auvergne", "Cantal", "Aubrac", "Rouergue", "Gers", "Béarn", "Landes", "Médoc",
    "Charente", "Saintonge", "Anjou", "Touraine", "Maine", "Perche", "Cotentin",
    "Pays d'Auge", "Flandre", "Hainaut", "Artois", "Picardie", "Thiérache", "Savoie",
    "Chablais", "Bauges", "Oisans", "Queyras", "Mercantour", "Corse du Sud", "Balagne",
    "Martinique", "Guadeloupe", "Réunion", "Guyane", "Mayotte", "Grand Lyon",
    "Métropole lilloise", "Est parisien", "Plaine Commune", "Seine-Saint-Denis",
]
POLE_WORDS = [
    "Coopération", "Solidarité", "Économie circulaire", "Transition", "Territoires",
    "Alimentation durable", "Mobilité solidaire", "Habitat", "Énergies citoyennes",
    "Réemploi", "Insertion", "Tiers-lieu", "Numérique responsable", "Culture", "Tourisme",
    "Bois et forêt", "Agriculture paysanne", "Textile", "Santé", "Services à la personne",
]
POLE_FORMS = [
    "Pôle {word} {place}", "PTCE {word} en {place}", "Pôle territorial {word} du {place}",
    "Coopérative {word} {place}", "Fabrique {word} du {place}", "Le Pôle {word} solidaire",
]
ORG_FORMS = [
    "Association {surname}", "SCOP {noun}", "SCIC {noun} {place}", "Régie de quartier {place}",
    "Mairie de {town}", "Communauté de communes {place}", "Lycée professionnel {surname}",
    "Université de {town}", "Entreprise {surname} et fils", "Atelier {noun}",
    "Chantier d'insertion {noun}", "Recyclerie {place}", "Fondation {surname}",
    "Réseau {noun} {place}", "Menuiserie {surname}", "Boulangerie {surname}", "Ferme {surname}",
]
SURNAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu",
    "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
]
NOUNS = [
    "Les Compagnons", "Le Fil", "La Navette", "L'Établi", "Le Relais", "La Ruche", "Le Grenier",
    "Les Jardins", "La Passerelle", "L'Escale", "Le Moulin", "La Forge", "Les Ateliers",
    "Le Chantier", "La Source", "L'Abeille", "Le Sillon", "La Boussole", "Le Lien", "L'Envol",
]
TOWNS = [
    "Lyon", "Lille", "Nantes", "Rennes", "Brest", "Bordeaux", "Toulouse", "Montpellier",
    "Marseille", "Nice", "Grenoble", "Dijon", "Besançon", "Strasbourg", "Metz", "Nancy",
    "Reims", "Amiens", "Rouen", "Caen", "Tours", "Orléans", "Poitiers", "Limoges",
    "Clermont-Ferrand", "Pau", "Bayonne", "Perpignan", "Avignon", "Chambéry", "Annecy",
    "Valence", "Saint-Étienne", "Angers", "Le Mans", "Laval", "Quimper", "Lorient", "Vannes",
    "Saint-Denis", "Fort-de-France", "Pointe-à-Pitre", "Cayenne", "Mamoudzou", "Ajaccio",
]
SEARCH_WORD = "solidaire"  # in about one pole name in six: the benchmark's search


@dataclass
class Scale:
    poles: int = 10_000
    organisations: int = 100_000
    memberships: int = 300_000
    calls: int = 50
    applications: int = 20_000

    @classmethod
    def of(cls, poles: int) -> Scale:
        """``poles`` poles with as many organisations, memberships and applications per pole
        as the default scale (10 organisations, 30 memberships and 2 applications a pole), and
        the same 50 calls: only the registry's size changes between two scales."""
        default = cls()
        return cls(
            poles=poles,
            organisations=default.organisations * poles // default.poles,
            memberships=default.memberships * poles // default.poles,
            applications=default.applications * poles // default.poles,
        )


def valid_siren(number: int) -> str:
    """A valid SIREN (Luhn key) made from a sequence number: unique per number."""
    base = f"{30_000_000 + number:08d}"
    for key in range(10):
        candidate = base + str(key)
        total = 0
        for index, char in enumerate(reversed(candidate)):
            value = int(char) * (2 if index % 2 else 1)
            total += value - 9 if value > 9 else value
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def witness(draw: float) -> bool | None:
    """« Pôle témoin » of a generated pole from one random draw: a few yes, some no, and
    mostly not known, as in a registry where few sources say it."""
    if draw < 0.03:
        return True
    return False if draw < 0.23 else None


def _centre(region) -> tuple[float, float]:
    """(latitude, longitude) of the region's label point; the middle of France without one."""
    outline = getattr(region, "outline", None)
    point = outline.label_point if outline else None
    return (point[1], point[0]) if point else (46.6, 2.4)


@dataclass
class Registry:
    """What the steps of ``generate`` share: the random sequence (one, drawn in the same order
    on every run: the same seed gives the same registry) and the reference rows."""

    rng: random.Random
    scale: Scale
    regions: list
    sectors: list
    today: datetime.date = datetime.date(2026, 1, 1)


def generate(scale: Scale | None = None, *, seed: int = 2026, out=print) -> dict[str, float]:
    """Write the synthetic registry into the current database; returns seconds per step."""
    from poles.models import Region, Sector

    registry = Registry(
        random.Random(seed), scale or Scale(), list(Region.objects.select_related("outline")),
        list(Sector.objects.all()),
    )
    if not registry.regions or not registry.sectors:
        raise RuntimeError("Load the reference data first: manage.py load_seed_data.")
    timings: dict[str, float] = {}

    def step(name: str, make, *args):
        started = time.perf_counter()
        made, summary = make(registry, *args)
        timings[name] = time.perf_counter() - started
        out(f"  {summary} en {timings[name]:.1f} s")
        return made

    with transaction.atomic():
        poles = step("poles", _poles)
        organisations = step("organisations", _organisations)
        step("memberships", _memberships, poles, organisations)
        step("calls", _calls, poles)
    # bulk_create sends no signal: the search index of every pole, rebuilt in one pass.
    step("search_index", _search_index)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        # VACUUM too, as autovacuum would do in production a minute after these inserts: it
        # marks the pages visible, without which no index-only scan can skip the table
        # (the network's grouping of 300,000 memberships by organisation: about 100 ms with
        # it, 200-450 ms without, spilling to disk). Outside the transaction above.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    return timings


def _poles(registry: Registry) -> tuple[list, str]:
    from poles.models import Pole

    rng, regions = registry.rng, registry.regions
    centres = {region.pk: _centre(region) for region in regions}
    # Metropolitan regions hold most poles, as in the registry.
    weights = [1 if region.code < "10" else 8 for region in regions]
    poles = []
    for index in range(registry.scale.poles):
        region = rng.choices(regions, weights)[0]
        word = rng.choice(POLE_WORDS)
        name = rng.choice(POLE_FORMS).format(word=word, place=rng.choice(PLACES))
        if index % 6 == 0 and SEARCH_WORD not in name:
            name += f" {SEARCH_WORD}"
        lat, lon = centres[region.pk]
        located = rng.random() < 0.9
        poles.append(
            Pole(
                name=name,
                slug=f"{slugify(name)[:180]}-{index + 1}",
                summary=f"{word} : des entreprises de l'ESS, des PME et des collectivités "
                f"qui coopèrent sur leur territoire.",
                description="Un pôle de coopération économique. " * 8,
                status=rng.choice(["in_project", "operational", "operational", "dormant"]),
                is_witness=witness(rng.random()),
                founded_year=rng.randint(1995, 2025),
                territory=rng.choice(PLACES),
                commune_name=rng.choice(TOWNS),
                region=region,
                latitude=round(lat + rng.uniform(-0.6, 0.6), 5) if located else None,
                longitude=round(lon + rng.uniform(-0.8, 0.8), 5) if located else None,
                website=f"https://pole-{index + 1}.example.org",
                is_published=rng.random() < 0.95,
            )
        )
    poles = Pole.objects.bulk_create(poles, batch_size=2000)
    through = Pole.sectors.through
    through.objects.bulk_create(
        [
            through(pole_id=pole.pk, sector_id=sector.pk)
            for pole in poles
            for sector in rng.sample(registry.sectors, rng.randint(1, 3))
        ],
        batch_size=5000,
    )
    return poles, f"{len(poles)} pôles"


def _organisations(registry: Registry) -> tuple[list, str]:
    from members.models import Organisation

    rng = registry.rng
    kinds = [choice for choice, _label in Organisation.Kind.choices]
    forms = [choice for choice, _label in Organisation.LegalForm.choices]
    organisations = []
    for index in range(registry.scale.organisations):
        name = rng.choice(ORG_FORMS).format(
            surname=rng.choice(SURNAMES), noun=rng.choice(NOUNS), place=rng.choice(PLACES),
            town=rng.choice(TOWNS),
        )
        organisations.append(
            Organisation(
                name=name,
                slug=f"{slugify(name)[:180]}-{index + 1}",
                kind=rng.choice(kinds),
                legal_form=rng.choice(forms),
                siren=valid_siren(index) if rng.random() < 0.7 else "",
                region=rng.choice(registry.regions),
                commune_name=rng.choice(TOWNS),
            )
        )
    organisations = Organisation.objects.bulk_create(organisations, batch_size=5000)
    return organisations, f"{len(organisations)} organisations"


def _memberships(registry: Registry, poles: list, organisations: list) -> tuple[None, str]:
    from members.models import Membership

    rng = registry.rng
    roles = [choice for choice, _label in Membership.Role.choices]
    per_pole = registry.scale.memberships // len(poles)
    organisation_ids = [organisation.pk for organisation in organisations]
    memberships = []
    for pole in poles:
        # Distinct organisations per pole: (pole, organisation, role) stays unique.
        for organisation_id in rng.sample(organisation_ids, per_pole):
            joined = registry.today - datetime.timedelta(days=rng.randint(30, 4000))
            left = joined + datetime.timedelta(days=rng.randint(1, 900))
            memberships.append(
                Membership(
                    pole_id=pole.pk,
                    organisation_id=organisation_id,
                    role=rng.choice(roles),
                    joined_on=joined,
                    left_on=left if rng.random() < 0.1 else None,
                )
            )
    Membership.objects.bulk_create(memberships, batch_size=10000)
    return None, f"{len(memberships)} adhésions"


def _calls(registry: Registry, poles: list) -> tuple[None, str]:
    from calls.models import Application, Call

    rng, scale = registry.rng, registry.scale
    call_kinds = [choice for choice, _label in Call.Kind.choices]
    per_call = scale.applications // scale.calls
    calls = []
    for index in range(scale.calls):
        year = 2010 + index % 16
        launched = datetime.date(year, 1 + index % 9, 1)
        calls.append(
            Call(
                title=f"Appel à projets PTCE {year} — vague {index // 16 + 1}",
                slug=f"appel-ptce-{year}-vague-{index // 16 + 1}",
                year=year,
                kind=rng.choice(call_kinds),
                summary="Un appel à projets pour les pôles territoriaux de coopération.",
                launched_on=launched,
                closes_on=launched + datetime.timedelta(days=90),
                results_on=launched + datetime.timedelta(days=200),
                applications_received=per_call,
                applications_eligible=per_call * 3 // 4,
                applications_selected=per_call // 10,
            )
        )
    calls = Call.objects.bulk_create(calls)
    pole_ids = [pole.pk for pole in poles]
    outcomes = ["laureate"] + ["not_selected"] * 6 + ["eligible"] * 2 + ["submitted"]
    applications = [
        Application(call_id=call.pk, pole_id=pole_id, outcome=rng.choice(outcomes))
        for call in calls
        for pole_id in rng.sample(pole_ids, per_call)
    ]
    Application.objects.bulk_create(applications, batch_size=10000)
    return None, f"{len(calls)} appels, {len(applications)} candidatures"


def _search_index(registry: Registry) -> tuple[None, str]:
    from poles.registry.search import rebuild_index

    return None, f"index de recherche : {rebuild_index()} pôles"

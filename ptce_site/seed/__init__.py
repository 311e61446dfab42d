"""Load the reference data and the seed registry from ``fixtures/``, idempotently.

Reference data (regions, former regions, source documents, sectors) is kept in step with the
fixtures on every run. Registry objects (organisations, calls, poles and their memberships,
milestones and applications, the chronology's events) are created when missing and otherwise
left as the curators made them, unless ``update=True`` asks to bring them back to what the
documents say. Either way a second run changes nothing and duplicates nothing.

The seed registry holds only what the source documents say (``tests/test_seed_facts.py`` checks
each field against them): what none gives stays empty, a pole's status and an organisation's kind
are then "not known". Databases seeded before that lost the invented facts through the data
migrations ``poles/0015_truthful_seed`` and ``calls/0004_truthful_seed``, which change a value only
while it is still the one the old seed wrote (``--update`` instead resets everything to the seed).

It fills every app (the poles' territories and registry, members, calls), so it sits with the
site's glue rather than in one app; ``manage.py load_seed_data`` runs it.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation

from calls.models import Application, Call, Milestone
from members.models import Membership, Organisation
from poles.models import (
    Charter,
    Event,
    FormerRegion,
    Objective,
    Pole,
    Region,
    Sector,
    SourceDocument,
)
from poles.registry.search import deferred_indexing

from .geography import GeographyLoader, SeedError, read_fixture

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
REGIONS_FILE = FIXTURES_DIR / "regions.json"
REGISTRY_FILE = FIXTURES_DIR / "registry.json"
GEO_DIR = FIXTURES_DIR / "geo"
EVENT_RELATIONS = ("organisers", "poles", "sources")
# The English versions of an event's title, and of the charter's texts, that the seed gives.
EVENT_ENGLISH = ("title_en",)
CHARTER_ENGLISH = ("title_en", "description_en")


@dataclass
class SeedReport:
    counts: Counter = field(default_factory=Counter)

    def add(self, model: type[models.Model], status: str) -> None:
        self.counts[(model._meta.verbose_name_plural, status)] += 1

    def lines(self) -> list[str]:
        by_model: dict[str, dict[str, int]] = {}
        for (name, status), number in self.counts.items():
            by_model.setdefault(str(name), {})[status] = number
        return [
            f"{name}: " + ", ".join(f"{number} {status}" for status, number in sorted(s.items()))
            for name, s in by_model.items()
        ]


# The English versions of a call's texts (django-modeltranslation's columns, ``ptce_site``
# knows them by name only).
CALL_ENGLISH = ("title_en", "summary_en", "description_en")


def _copied(item: dict, *names: str) -> dict:
    """The fields ``names`` of a fixture's item, as the model calls them too."""
    return {name: item[name] for name in names}


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


class Loader(GeographyLoader):
    def __init__(self, *, update: bool) -> None:
        self.update = update
        self.report = SeedReport()
        self._cache: dict[type[models.Model], dict] = {}

    # -- generic helpers -------------------------------------------------------------------
    def sync(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any],
        *,
        reference: bool = False,
    ) -> tuple[models.Model, bool]:
        """Create the object or, when allowed, update the fields that differ.

        Returns the object and whether the seed owns its relations on this run (it was
        created, or updating is allowed).
        """
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            self._validate(obj)
            obj.save()
            self.report.add(model, "créé(s)")
            return obj, True
        if not (reference or self.update):
            self.report.add(model, "conservé(s) tel(s) quel(s)")
            return obj, False
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            self._validate(obj)
            obj.save()
            self.report.add(model, "mis à jour")
        else:
            self.report.add(model, "inchangé(s)")
        return obj, True

    def fill_empty(self, obj: models.Model, values: dict[str, Any]) -> None:
        """Set the fields still empty (the English versions of a call the curators own):
        what a curator wrote is never replaced."""
        empty = {name: value for name, value in values.items() if not getattr(obj, name)}
        if empty:
            for name, value in empty.items():
                setattr(obj, name, value)
            obj.save(update_fields=list(empty))
            self.report.add(obj._meta.model, "traduit(s)")

    def _validate(self, obj: models.Model) -> None:
        try:
            obj.full_clean()
        except ValidationError as error:
            raise SeedError(f"{obj._meta.verbose_name} « {obj} » : {error.messages}") from error

    # -- the data ---------------------------------------------------------------------------
    def load_registry(self, data: dict) -> None:
        """Sources, sectors, organisations, calls, then the poles that refer to them all."""
        sources = self.load_sources(data["sources"])
        sectors = {
            item["slug"]: self.sync(
                Sector, {"slug": item["slug"]}, _copied(item, "name", "name_en"), reference=True
            )[0]
            for item in data["sectors"]
        }
        organisations = self.load_organisations(data["organisations"])
        for item in data["calls"]:
            self.load_call(item, organisations, sources)
        for item in data["poles"]:
            self.load_pole(item, sectors=sectors, sources=sources, organisations=organisations)
        for item in data.get("events", []):
            self.load_event(item, sources=sources, organisations=organisations)
        if "charter" in data:
            self.load_charter(data["charter"], sources=sources)

    def load_sources(self, items: list[dict]) -> dict[str, SourceDocument]:
        sources = {}
        for item in items:
            values = {k: v for k, v in item.items() if k != "key"}
            values["published_on"] = _date(values.get("published_on"))
            sources[item["key"]], _ = self.sync(
                SourceDocument, {"key": item["key"]}, values, reference=True
            )
        return sources

    def load_organisations(self, items: list[dict]) -> dict[str, Organisation]:
        regions = self._by_code(Region)
        organisations = {}
        for item in items:
            organisations[item["slug"]], _ = self.sync(
                Organisation,
                {"slug": item["slug"]},
                {
                    **_copied(item, "name", "kind", "legal_form"),
                    "website": item.get("website", ""),
                    "description": item.get("description", ""),
                    "region": regions.get(item.get("region") or ""),
                },
            )
        return organisations

    def load_call(self, item: dict, organisations: dict, sources: dict) -> None:
        """A call; its organisers, sources and milestones when the seed owns them."""
        call, owned = self.sync(
            Call,
            {"slug": item["slug"]},
            {
                **_copied(item, "title", "year", "kind", "summary", "description"),
                **_copied(item, *CALL_ENGLISH),
                **_copied(item, "applications_received", "received_unit"),
                **_copied(item, "received_is_lower_bound"),
                **_copied(item, "applications_eligible", "applications_selected"),
                **{name: _date(item[name]) for name in ("launched_on", "closes_on", "results_on")},
            },
        )
        self.fill_empty(call, {name: item[name] for name in CALL_ENGLISH})
        if not owned:
            for milestone in item["milestones"]:
                kept = Milestone.objects.filter(
                    call=call, date=_date(milestone["date"]), label=milestone["label"]
                ).first()
                if kept:
                    self.fill_empty(kept, {"label_en": milestone["label_en"]})
            return
        call.organisers.set([organisations[slug] for slug in item["organisers"]])
        call.sources.set([sources[key] for key in item["sources"]])
        for milestone in item["milestones"]:
            self.sync(
                Milestone,
                {"call": call, "date": _date(milestone["date"]), "label": milestone["label"]},
                {
                    "label_en": milestone["label_en"],
                    "end_date": _date(milestone["end_date"]),
                    "date_to_be_confirmed": milestone["date_to_be_confirmed"],
                },
                reference=True,
            )

    def load_pole(self, item: dict, *, sectors: dict, sources: dict, organisations: dict) -> None:
        """A pole (published); its sectors, objectives, sources, memberships and applications
        when the seed owns them."""
        regions = self._by_code(Region)
        pole, owned = self.sync(
            Pole,
            {"slug": item["slug"]},
            {
                **_copied(item, "name", "summary", "description", "status", "is_witness"),
                **_copied(item, "territory", "website"),
                "region": regions.get(item["region"] or ""),
                "is_published": True,
            },
        )
        if not owned:
            return
        objectives = self._by_code(Objective)
        pole.sectors.set([sectors[slug] for slug in item["sectors"]])
        pole.objectives.set([objectives[code] for code in item.get("objectives", [])])
        pole.sources.set([sources[key] for key in item["sources"]])
        for membership in item["memberships"]:
            self.sync(
                Membership,
                {
                    "pole": pole,
                    "organisation": organisations[membership["organisation"]],
                    "role": membership["role"],
                },
                {},
                reference=True,
            )
        self.load_applications(pole, item["applications"])

    def load_applications(self, pole: Pole, items: list[dict]) -> None:
        calls = self._by_code(Call, "slug")
        former_regions = self._by_code(FormerRegion)
        for application in items:
            self.sync(
                Application,
                {"call": calls[application["call"]], "pole": pole},
                {
                    "outcome": application["outcome"],
                    "track": application["track"],
                    "former_region": former_regions.get(application["former_region"] or ""),
                    "region_name_then": application["region_name_then"],
                },
                reference=True,
            )

    def load_event(self, item: dict, *, sources: dict, organisations: dict) -> None:
        """An event of the chronology; its organisers, poles and sources when the seed owns it."""
        values = {k: v for k, v in item.items() if k not in {"slug", *EVENT_RELATIONS}}
        values.update(start_date=_date(item["start_date"]), end_date=_date(item["end_date"]))
        event, owned = self.sync(Event, {"slug": item["slug"]}, values)
        self.fill_empty(event, {name: item[name] for name in EVENT_ENGLISH if name in item})
        if owned:
            event.organisers.set([organisations[slug] for slug in item["organisers"]])
            event.poles.set(Pole.objects.filter(slug__in=item["poles"]))
            event.sources.set([sources[key] for key in item["sources"]])

    def load_charter(self, item: dict, *, sources: dict) -> None:
        """The charter, as the documents give it, and no signature: no document names a
        signatory. A charter created by the migration that moved the
        poles' dates (``poles/0025_charter``) gets the texts it lacks."""
        values = {k: item[k] for k in ("title", "place", "description", *CHARTER_ENGLISH)}
        values["signed_on"] = _date(item["signed_on"])
        event = Event.objects.filter(slug=item["event"]).first() if item.get("event") else None
        charter, owned = self.sync(Charter, {"slug": item["slug"]}, {**values, "event": event})
        if not owned:
            self.fill_empty(charter, {**values, "event": event})
        if owned or not charter.sources.exists():
            charter.sources.set([sources[key] for key in item["sources"]])

    def _by_code(self, model: type[models.Model], key: str = "code") -> dict:
        """Every row of ``model`` by ``key``, read once per run (when first needed: the calls
        once they are all loaded)."""
        if model not in self._cache:
            self._cache[model] = {getattr(row, key): row for row in model.objects.all()}
        return self._cache[model]


def load_seed_data(
    *,
    update: bool = False,
    communes: bool = True,
    regions_file: Path = REGIONS_FILE,
    registry_file: Path = REGISTRY_FILE,
    geo_dir: Path = GEO_DIR,
) -> SeedReport:
    """Load the reference data (regions, shapes, communes) and the seed registry in one
    transaction."""
    regions = read_fixture(regions_file)
    registry = read_fixture(registry_file)
    loader = Loader(update=update)
    # The search index of the poles written, built once at the end (not at each save). The
    # documents are French: their texts go to the French columns whatever language the caller
    # has active (django-modeltranslation writes ``title`` to the active language's column).
    with transaction.atomic(), deferred_indexing(), translation.override(settings.LANGUAGE_CODE):
        loader.load_regions(regions)
        loader.load_shapes(geo_dir)
        if communes:
            loader.load_communes(geo_dir / "communes.csv")
        loader.load_registry(registry)
    return loader.report

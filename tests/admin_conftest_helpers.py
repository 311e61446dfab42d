"""Data for the admin tests: a registry that grows by whole poles, to compare query counts."""

from poles.models import Commune, Pole
from poles.registry.search.indexer import deferred_indexing
from tests.factories import (
    ApplicationFactory,
    FormerRegionFactory,
    MembershipFactory,
    MilestoneFactory,
    PoleFactory,
    SectorFactory,
    SourceDocumentFactory,
)


@deferred_indexing()  # the poles indexed once, at the end
def grow_registry(count: int) -> list[Pole]:
    """Add ``count`` poles, each with its own region, former region, commune, two sectors, a
    source, a member organisation and a laureate application to its own call with a milestone,
    so that every changelist gains rows."""
    poles = []
    for _ in range(count):
        start = Pole.objects.count()
        pole = PoleFactory(sectors=SectorFactory.create_batch(2))
        pole.sources.add(SourceDocumentFactory())
        former_region = FormerRegionFactory(region=pole.region)
        Commune.objects.create(
            code=f"{10000 + start:05d}",
            name=f"Commune {start}",
            department="01",
            region=pole.region,
            latitude=45.0,
            longitude=5.0,
        )
        MembershipFactory(pole=pole)
        application = ApplicationFactory(pole=pole, former_region=former_region)
        MilestoneFactory(call=application.call)
        poles.append(pole)
    return poles

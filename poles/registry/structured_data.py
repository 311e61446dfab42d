"""A pole as a schema.org ``Organization`` (JSON-LD, ``ptce_site/structured_data.py``)."""

from __future__ import annotations

from ptce_site.links import absolute_url

from .models import Pole


def pole_organization(pole: Pole) -> dict:
    """What the registry knows of ``pole``: its address is its commune and region (the
    registry keeps no street address), the area it serves its territory, else its region."""
    region = pole.region.name if pole.region else None
    area = pole.territory or region
    return {
        "@type": "Organization",
        "name": pole.name,
        "url": absolute_url(pole.get_absolute_url()),
        "description": pole.summary,
        "sameAs": [pole.website],
        "foundingDate": str(pole.founded_year) if pole.founded_year else None,
        "email": pole.contact_email,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": pole.commune_name,
            "addressRegion": region,
            "addressCountry": "FR",
        },
        "areaServed": {"@type": "AdministrativeArea", "name": area} if area else None,
        "geo": {
            "@type": "GeoCoordinates", "latitude": pole.latitude, "longitude": pole.longitude,
        } if pole.has_location else None,
        "knowsAbout": [sector.name for sector in pole.sectors.all()],
    }

from django.conf import settings

from .links import DATA_LICENCE


def site(request) -> dict:
    """Settings the templates need: the site's address (canonical links), the map's tile
    source (empty = no tiles; its attribution goes with it in ``LEAFLET_CONFIG``), the
    licence of the registry's data (``includes/data_licence.html``)."""
    return {
        "site_url": settings.SITE_URL,
        "map_tiles_url": settings.MAP_TILES_URL,
        "data_licence": DATA_LICENCE,
    }

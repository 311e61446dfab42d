from django.conf import settings


def site(request) -> dict:
    """Settings the templates need: the site's address (canonical links), the map's tile
    source (empty = no tiles; its attribution goes with it in ``LEAFLET_CONFIG``)."""
    return {
        "site_url": settings.SITE_URL,
        "map_tiles_url": settings.MAP_TILES_URL,
    }

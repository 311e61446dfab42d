from django.conf import settings


def site(request) -> dict:
    """Settings the templates need: the map's tile source (empty = no tiles)."""
    return {
        "map_tiles_url": settings.MAP_TILES_URL,
        "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION,
    }

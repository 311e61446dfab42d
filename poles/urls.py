"""The poles app's public URLs (namespace ``poles``): each area's, in one namespace."""

from django.urls import include, path

app_name = "poles"

urlpatterns = [
    path("", include("poles.registry.urls")),
    path("", include("poles.registry.events.urls")),
    path("", include("poles.registry.charter.urls")),
    path("", include("poles.registry.network.urls")),
    path("", include("poles.leadership.urls")),
    path("", include("poles.leadership.proposals.urls")),
]

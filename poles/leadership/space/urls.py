"""The leaders' space, under ``/espace/`` (namespace ``space``, from ``ptce_site/urls.py``)."""

from django.urls import path

from . import indicators, views

app_name = "space"

urlpatterns = [
    path("", views.my_poles, name="my-poles"),
    path("poles/<slug:slug>/", views.edit_pole, name="edit-pole"),
    path("poles/<slug:slug>/membres/", views.pole_members, name="pole-members"),
    path("poles/<slug:slug>/historique/", views.pole_history, name="pole-history"),
    path(
        "poles/<slug:slug>/indicateurs/", indicators.pole_indicators, name="pole-indicators"
    ),
    path(
        "poles/<slug:slug>/indicateurs/<int:year>/",
        indicators.pole_indicator,
        name="pole-indicator",
    ),
    path("organisations/recherche/", views.organisation_search, name="organisation-search"),
]

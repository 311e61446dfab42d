"""The registry's public pages and open data (namespace ``poles``, from ``poles/urls.py``)."""

from django.urls import path

from . import api, datapackage, embeds, feeds, views
from .stats import views as stats

urlpatterns = [
    path("", views.home, name="home"),
    path("poles/", views.pole_list, name="pole-list"),
    path("poles/export.csv", views.pole_export_csv, name="pole-export-csv"),
    path("poles/export.geojson", views.pole_export_geojson, name="pole-export-geojson"),
    path("poles/export.schema.json", datapackage.table_schema_view, name="pole-table-schema"),
    path("poles/flux.atom", feeds.PoleFeed(), name="pole-feed"),
    path("poles/<slug:slug>/", views.pole_detail, name="pole-detail"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/<slug:slug>/", views.region_detail, name="region-detail"),
    path("regions/<slug:slug>/flux.atom", feeds.RegionPoleFeed(), name="region-feed"),
    path("carte/", views.map_page, name="map"),
    path("integrer/carte/", embeds.embed_map, name="embed-map"),
    path("integrer/annuaire/", embeds.embed_directory, name="embed-directory"),
    path("statistiques/", stats.statistics_page, name="statistics"),
    path("statistiques/<slug:figure>.csv", stats.statistics_csv, name="statistics-csv"),
    path("api/", api.api_index, name="api-index"),
    path("api/regions.geojson", api.regions_geojson, name="api-regions"),
    path("api/poles.geojson", api.poles_geojson, name="api-poles"),
    path("api/poles.json", api.poles_json, name="api-poles-list"),
    path("api/datapackage.json", datapackage.datapackage_view, name="datapackage"),
]

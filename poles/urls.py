from django.urls import path

from . import api, leadership_views, views

app_name = "poles"

urlpatterns = [
    path("", views.home, name="home"),
    path("poles/", views.pole_list, name="pole-list"),
    path("poles/export.csv", views.pole_export_csv, name="pole-export-csv"),
    path("poles/export.geojson", views.pole_export_geojson, name="pole-export-geojson"),
    path("poles/<slug:slug>/", views.pole_detail, name="pole-detail"),
    path("poles/<slug:slug>/porter/", leadership_views.claim_pole, name="pole-claim"),
    path("poles/<slug:slug>/porter/merci/", leadership_views.claim_done, name="pole-claim-done"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/<slug:slug>/", views.region_detail, name="region-detail"),
    path("carte/", views.map_page, name="map"),
    path("api/", api.api_index, name="api-index"),
    path("api/regions.geojson", api.regions_geojson, name="api-regions"),
    path("api/poles.geojson", api.poles_geojson, name="api-poles"),
    path("api/poles.json", api.poles_json, name="api-poles-list"),
]

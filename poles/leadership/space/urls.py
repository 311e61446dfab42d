"""The leaders' space, under ``/espace/`` (namespace ``space``, from ``ptce_site/urls.py``)."""

from django.urls import path

from . import views

app_name = "space"

urlpatterns = [
    path("", views.my_poles, name="my-poles"),
    path("poles/<slug:slug>/", views.edit_pole, name="edit-pole"),
    path("poles/<slug:slug>/membres/", views.pole_members, name="pole-members"),
    path("poles/<slug:slug>/historique/", views.pole_history, name="pole-history"),
    path("organisations/recherche/", views.organisation_search, name="organisation-search"),
]

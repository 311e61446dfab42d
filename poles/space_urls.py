from django.urls import path

from . import space

app_name = "space"

urlpatterns = [
    path("", space.my_poles, name="my-poles"),
    path("poles/<slug:slug>/", space.edit_pole, name="edit-pole"),
    path("poles/<slug:slug>/membres/", space.pole_members, name="pole-members"),
    path("poles/<slug:slug>/historique/", space.pole_history, name="pole-history"),
    path("organisations/recherche/", space.organisation_search, name="organisation-search"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("reseau/", views.network_page, name="network"),
]

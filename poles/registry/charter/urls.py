from django.urls import path

from . import views

urlpatterns = [
    path("charte/", views.charter_detail, name="charter"),
]

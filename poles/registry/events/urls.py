from django.urls import path

from . import views

urlpatterns = [
    path("chronologie/", views.chronology, name="chronology"),
    path("chronologie/<slug:slug>/", views.event_detail, name="event-detail"),
]

from django.urls import path

from . import feeds, views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("flux.atom", feeds.CallFeed(), name="call-feed"),
    path("<slug:slug>/", views.call_detail, name="call-detail"),
]

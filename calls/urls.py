from django.urls import path

from . import views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="call-list"),
    path("<slug:slug>/", views.call_detail, name="call-detail"),
]

from django.urls import path

from . import space

app_name = "space"

urlpatterns = [
    path("", space.my_poles, name="my-poles"),
    path("poles/<slug:slug>/", space.edit_pole, name="edit-pole"),
]

"""Proposing a missing pole, in the ``poles`` namespace (from ``poles/urls.py``)."""

from django.urls import path

from . import views

urlpatterns = [
    path("proposer/", views.propose, name="proposal-create"),
    path("proposer/merci/", views.proposal_sent, name="proposal-sent"),
    path("proposer/confirmer/<str:token>/", views.confirm, name="proposal-confirm"),
]

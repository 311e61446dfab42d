"""The public side of who leads a pole, in the ``poles`` namespace (from ``poles/urls.py``).

The invitation link (``/compte/invitation/<token>/``) extends the accounts' URLs and is in
``ptce_site/urls.py``; the leaders' space has its own namespace (``space/urls.py``).
"""

from django.urls import path

from . import views

urlpatterns = [
    path("poles/<slug:slug>/porter/", views.claim_pole, name="pole-claim"),
    path("poles/<slug:slug>/porter/merci/", views.claim_done, name="pole-claim-done"),
]

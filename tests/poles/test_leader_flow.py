"""The whole story of a pole leader, across the pieces: invited by staff, sets a password,
edits the pole, sees the edit in the recent changes, and staff are told and see it too."""

from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.poles.test_invitations import accept, invitation_link, invite, path_of
from tests.poles.test_space import form_data

pytestmark = pytest.mark.django_db


def test_invitation_then_edit_then_history_then_staff_see_it(
    curator_client, curator, pole, settings, django_capture_on_commit_callbacks
):
    settings.LEADER_EDIT_NOTIFICATIONS = "each"
    settings.PAGE_CACHE_SECONDS = 600
    curator.email = "claire@example.org"
    curator.save()
    pole.is_published = True
    pole.summary = "Résumé d'origine"
    pole.save()
    public = Client().get(pole.get_absolute_url())  # now in the page cache
    assert public["X-Page-Cache"] == "miss" and "Résumé d'origine" in unescape(
        public.content.decode()
    )
    assert Client().get(pole.get_absolute_url())["X-Page-Cache"] == "hit"

    assert invite(curator_client, pole, "nadia@example.org").status_code == 302
    link = invitation_link(mail.outbox[-1])
    leader = Client()
    edit_url = reverse("space:edit-pole", args=[pole.slug])
    assert accept(leader, link)["Location"] == edit_url

    pole.refresh_from_db()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = leader.post(edit_url, form_data(pole, summary="Résumé tenu par le porteur"))
    assert response.status_code == 302

    # The public page shows the edit at once (anonymous visitors, cached pages included).
    assert "Résumé tenu par le porteur" in Client().get(pole.get_absolute_url()).content.decode()

    # The leader sees it in the recent changes of their pole.
    history = unescape(
        leader.get(reverse("space:pole-history", args=[pole.slug])).content.decode()
    )
    assert "Résumé d'origine" in history and "Résumé tenu par le porteur" in history

    # Staff are told by e-mail, with a link to the change in the admin...
    [notice] = [m for m in mail.outbox if "claire@example.org" in m.to]
    record = pole.history.latest()
    change_link = reverse("admin:poles_pole_simple_history", args=[pole.pk, record.history_id])
    assert change_link in notice.body
    assert "Résumé tenu par le porteur" in notice.body

    # ...which opens for them, and the pole's admin page lists the change with its author.
    assert curator_client.get(path_of(change_link)).status_code == 200
    admin_page = unescape(
        curator_client.get(reverse("admin:poles_pole_change", args=[pole.pk])).content.decode()
    )
    assert "nadia@example.org" in admin_page
    assert "Résumé : Résumé d'origine → Résumé tenu par le porteur" in admin_page

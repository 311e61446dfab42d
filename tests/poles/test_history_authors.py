"""Who made each version, in the leaders' recent changes and the staff's e-mails and admin,
by the same rule as the pole's public page (``poles.registry.provenance.origin_of``): the seed
load is the source documents', not « l'équipe du registre »; a deleted leader's text stays
the pole's."""

import pytest

from poles.leadership.history import recent_changes
from poles.registry.provenance import DELETED_LEADER

pytestmark = pytest.mark.django_db


def last_change(pole):
    return recent_changes(pole, limit=1)[0]


def test_a_version_of_the_seed_load_is_the_source_documents(pole):
    pole.summary = "Ce que dit l'annonce des lauréats."
    pole.save()  # no account, no change reason: what load_seed_data writes
    change = last_change(pole)
    assert change.who == change.who_for_staff == "le chargement des documents sources"


def test_code_run_by_the_team_and_a_deleted_leader_s_text_keep_their_author(pole):
    pole.summary = "Importé."
    pole._change_reason = "Import en ligne de commande"
    pole.save()
    change = last_change(pole)
    assert change.who == "l'équipe du registre"
    assert change.who_for_staff == "un traitement automatique"

    pole.summary = "Écrit par un porteur parti depuis."
    pole._change_reason = DELETED_LEADER
    pole.save()
    assert last_change(pole).who == "un porteur du pôle (compte supprimé)"


def test_a_leader_and_a_curator_are_named_as_before(pole, alice, curator):
    leader = alice.get_full_name() or alice.username
    for user, seen in ((alice, leader), (curator, "l'équipe du registre")):
        pole.summary = f"Par {user.username}."
        pole._history_user = user
        pole.save()
        assert last_change(pole).who == seen

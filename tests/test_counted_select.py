"""The directory's counted selects are written without Django's widget templates (for
speed): the HTML must stay the one those templates give, byte for byte."""

import pytest
from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ptce_site.filters import CountedSelect
from tests.factories import PoleFactory, RegionFactory

CHOICES = [
    ("", "Toutes les régions"),
    ("grand-est", "Grand Est"),
    ("provence", "Provence-Alpes-Côte d'Azur & <Corse>"),
    ("bretagne", "Bretagne"),
]


# Labels to translate, numbers as values, a group of choices.
GROUPED = [
    (None, gettext_lazy("Tous les statuts")),
    ("Projets", [("grand-est", gettext_lazy("En projet")), (2, "Deux & <trois>")]),
    ("bretagne", "Bretagne"),
    ("bretagne", "Bretagne encore"),  # only the first of equal values is selected
]


def _select(counts, choices=CHOICES, **attrs):
    counted = CountedSelect(attrs=attrs, choices=choices)
    counted.counts = counts
    return counted


@pytest.mark.parametrize("value", ["", "grand-est", "bretagne", None, "inconnue", "2"])
@pytest.mark.parametrize(
    "counts", [None, {"grand-est": 1234, "provence": 3}, {"bretagne": 999, "2": 1000}]
)
@pytest.mark.parametrize("choices", [CHOICES, GROUPED])
def test_same_html_as_django_templates(value, counts, choices):
    widget = _select(counts, choices, id="id_region", required=True, title="Région « choisie »")
    ours = widget.render("region", value)
    theirs = forms.Select.render(widget, "region", value)  # through select.html
    assert ours == theirs
    if choices is CHOICES:
        assert "&#x27;Azur &amp; &lt;Corse&gt;" in ours  # escaped once


def test_options_counted_disabled_and_described():
    html = _select({"grand-est": 1234, "provence": 3}).render("region", "bretagne")
    assert 'aria-describedby="counts-note"' in html
    assert '<option value="grand-est">Grand Est (1\xa0234)</option>' in html  # French grouping
    # Bretagne gives none but is the chosen one: not disabled.
    assert '<option value="bretagne" selected>Bretagne (0)</option>' in html
    assert '<option value="">Toutes les régions</option>' in html


@pytest.mark.django_db
def test_directory_region_options_from_database(client):
    RegionFactory(name="Zèbre & Co", slug="zebre")
    PoleFactory(region=RegionFactory(name="Grand Est", slug="grand-est"), is_published=True)
    html = client.get(reverse("poles:pole-list")).content.decode()
    assert '<option value="grand-est">Grand Est (1)</option>' in html
    assert '<option value="zebre" disabled>Zèbre &amp; Co (0)</option>' in html

"""The embeddable map and directory: framable, cookie-free, same counts as the registry."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PoleFactory

pytestmark = pytest.mark.django_db


def test_only_the_embeds_may_be_framed_and_they_set_no_cookie(seeded, client):
    for url in ("/integrer/carte/?call=appel-a-projets-2013", "/integrer/annuaire/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "X-Frame-Options" not in response.headers
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
        assert not response.cookies
        assert 'target="_blank" rel="noopener"' in response.content.decode()
    page = client.get("/carte/")
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_the_frame_ancestors_come_from_the_setting(seeded, client, settings, monkeypatch):
    from poles.registry import embeds

    settings.EMBED_FRAME_ANCESTORS = ["https://partenaire.example"]
    view = embeds.framable(lambda request: __import__("django").http.HttpResponse("ok"))
    response = view(None)
    assert response._csp_config["frame-ancestors"] == ["https://partenaire.example"]
    assert response.xframe_options_exempt


def test_embedded_directory_counts_like_the_directory(seeded, client):
    directory = client.get("/poles/?region=ile-de-france").content.decode()
    embed = client.get("/integrer/annuaire/?region=ile-de-france").content.decode()
    count = re.search(r"(\d+) pôles? trouvés?", directory).group(1)
    assert re.search(r"(\d+) pôles? trouvés?", embed).group(1) == count
    assert embed.count('<li>\n        <a href="http') == min(int(count), 10)


def test_map_and_directory_give_the_iframe_code_for_their_filters(seeded, client):
    page = client.get("/carte/?call=appel-a-projets-2013&level=former").content.decode()
    assert "Intégrer sur votre site" in page
    assert (
        "&lt;iframe src=&quot;http://testserver/integrer/carte/?call=appel-a-projets-2013"
        "&amp;amp;level=former&quot;" in page
    )
    directory = client.get("/poles/?sector=agriculture&lang=en").content.decode()
    assert "/integrer/annuaire/?sector=agriculture&amp;amp;lang=en" in directory


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_embed_pages_run_a_constant_number_of_queries(seeded, client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    urls = ("/integrer/annuaire/?status=operational", "/integrer/carte/?level=former")
    before = [_queries(client, url) for url in urls]
    PoleFactory.create_batch(6, is_published=True, status="operational")
    assert [_queries(client, url) for url in urls] == before




def test_the_embedded_directory_says_which_filter_it_ignored(seeded, client):
    """A partner's iframe with a misspelt region showed every pole of the country as if they
    were the region's, without a word; the directory says which filter it ignored."""
    html = client.get("/integrer/annuaire/?region=ile-de-franc").content.decode()
    assert "ont été ignorés" in html and "Région" in html
    assert 'role="alert"' in html
    english = client.get("/integrer/carte/?call=nope&lang=en").content.decode()
    assert "were not understood" in english

"""The JSON API's answers hold to its own OpenAPI schema, as a partner's generated client or
validator reads it (OpenAPI 3.0's ``nullable`` as JSON Schema's ``null``; formats, which
validators need not check, unchecked)."""

import jsonschema
import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, PoleFactory

pytestmark = pytest.mark.django_db


def as_json_schema(node):
    """An OpenAPI 3.0 schema object as JSON Schema: ``nullable`` becomes a ``null`` type."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if "$ref" in node:
        node["$ref"] = node["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


def validator(schema: dict, path: str, code: str = "200") -> jsonschema.Draft202012Validator:
    answer = schema["paths"][path]["get"]["responses"][code]["content"]["application/json"]
    return jsonschema.Draft202012Validator(
        {**as_json_schema(answer["schema"]),
         "$defs": as_json_schema(schema["components"]["schemas"])}
    )


def test_every_answer_of_the_api_is_valid_against_its_own_schema(client, seeded):
    """Every name, title or commune failed the schema (a line without a control character
    was written as a pattern that demands one), and every empty website or source address
    matched both branches of a ``oneOf``: a partner validating the answers refused them all."""
    pole = PoleFactory(name="Pôle des collines", territory="Drôme des collines",
                       commune_code="26281", commune_name="Romans-sur-Isère", website="")
    MembershipFactory(pole=pole, organisation__website="")
    schema = client.get(reverse("api-v1:schema")).json()
    endpoints = client.get(reverse("api-v1:root")).json()["endpoints"]
    checked = 0
    for url in endpoints.values():
        path = url.removeprefix("http://testserver")
        answer = client.get(path, {"page_size": 100} if path != "/api/v1/charter/" else {})
        errors = list(validator(schema, path).iter_errors(answer.json()))
        assert not errors, (path, [(list(e.absolute_path), e.message[:120]) for e in errors[:3]])
        for item in answer.json().get("results", [])[:3]:
            key = "slug" if "slug" in item else "id"
            detail = f"{path}{{{key}}}/"
            errors = list(validator(schema, detail).iter_errors(client.get(item["url"]).json()))
            assert not errors, (item["url"], [e.message[:120] for e in errors[:3]])
            checked += 1
    assert checked >= 20


def test_the_apis_error_answers_are_documented_as_they_come(client, seeded, settings):
    """A partner's generated client reads a refusal, a missing page or a throttle from the
    schema: it documented the 200 answers only."""
    schema = client.get(reverse("api-v1:schema")).json()
    poles, pole = "/api/v1/poles/", "/api/v1/poles/{slug}/"
    answers = [
        (poles, "400", client.get(poles, {"region": "atlantide", "page_size": "0"})),
        (poles, "404", client.get(poles, {"page": "999"})),
        (pole, "404", client.get("/api/v1/poles/atlantide/")),
        (poles, "406", client.get(poles, headers={"accept": "text/csv"})),
    ]
    settings.API_THROTTLE_RATE = "1/min"
    client.get("/api/v1/sectors/", REMOTE_ADDR="10.0.0.7")
    answers.append(("/api/v1/sectors/", "429",
                    client.get("/api/v1/sectors/", REMOTE_ADDR="10.0.0.7")))
    for path, code, answer in answers:
        assert str(answer.status_code) == code, (path, code)
        errors = list(validator(schema, path, code).iter_errors(answer.json()))
        assert not errors, (path, code, [e.message[:120] for e in errors[:3]])
    assert set(schema["paths"][poles]["get"]["responses"]) == {"200", "400", "404", "406", "429"}
    assert set(schema["paths"][pole]["get"]["responses"]) == {"200", "404", "406", "429"}

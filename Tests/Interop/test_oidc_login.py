"""A sign-in through a real OIDC provider built on authlib (the authorization-code flow with
PKCE that the console will use), then the API with the access token it issued.

Edge is pointed at the provider (`MLOPS_OIDC_ISSUER`, groups from its `groups` claim) and
knows nothing else about it: discovery, the JWKS, RS256 and the RFC 9068 access token all
come from authlib. The people it signs in get exactly the access their memberships give.
"""

import secrets
import urllib.parse

import httpx
import pytest
from oidc_provider import CLIENT_ID, REDIRECT_URI, Provider, pkce_pair


@pytest.fixture
def provider():
    with Provider(audience="mlops") as provider:
        yield provider


def sign_in(provider: Provider, user: str) -> dict:
    """The browser's part of the flow: authorize (PKCE S256), follow the redirect, exchange."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    authorize = httpx.get(f"{provider.url}/authorize", params={
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "scope": "openid profile",
        "state": state, "code_challenge": challenge, "code_challenge_method": "S256", "login_hint": user,
    })
    assert authorize.status_code == 302, authorize.text
    query = urllib.parse.parse_qs(urllib.parse.urlparse(authorize.headers["location"]).query)
    assert query["state"] == [state]
    code = query["code"][0]
    # A code is worth nothing without the verifier that matches its challenge.
    stolen = httpx.post(f"{provider.url}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID,
        "code_verifier": secrets.token_urlsafe(48)})
    assert stolen.status_code == 400 and stolen.json()["error"] == "invalid_grant"
    verifier_code = httpx.get(f"{provider.url}/authorize", params={
        "response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "scope": "openid profile",
        "state": state, "code_challenge": challenge, "code_challenge_method": "S256", "login_hint": user,
    })
    code = urllib.parse.parse_qs(urllib.parse.urlparse(verifier_code.headers["location"]).query)["code"][0]
    tokens = httpx.post(f"{provider.url}/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID,
        "code_verifier": verifier})
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["token_type"].lower() == "bearer" and "id_token" in body
    return body


def test_a_user_signed_in_at_an_authlib_provider_uses_the_api_with_their_roles(mlops_serve, provider):
    base = mlops_serve(MLOPS_OIDC_ISSUER=provider.url, MLOPS_OIDC_AUDIENCE="mlops")
    alan = {"Authorization": f"Bearer {sign_in(provider, 'alan')['access_token']}"}
    grace = {"Authorization": f"Bearer {sign_in(provider, 'grace')['access_token']}"}

    me = httpx.get(f"{base}/v1/me", headers=grace)
    assert me.status_code == 200, me.text
    assert me.json()["subject"] == "u-grace" and me.json()["name"] == "Grace Hopper"
    assert me.json()["groups"] == ["ml-reviewers"] and me.json()["issuer"] == provider.url

    # Alan makes a project; Grace sees nothing of it until her group is given a role there.
    project = httpx.post(f"{base}/v1/projects", json={"name": "signed-in"}, headers=alan)
    assert project.status_code == 201, project.text
    project_id = project.json()["id"]
    assert httpx.get(f"{base}/v1/projects/{project_id}", headers=grace).status_code == 404
    assert httpx.get(f"{base}/v1/projects", headers=grace).json()["items"] == []
    member = httpx.put(f"{base}/v1/projects/{project_id}/members", headers=alan,
                       json={"kind": "group", "principal": "ml-reviewers", "role": "reviewer"})
    assert member.status_code == 200, member.text
    assert httpx.get(f"{base}/v1/projects/{project_id}", headers=grace).status_code == 200
    assert httpx.delete(f"{base}/v1/projects/{project_id}", headers=grace).status_code == 403

    # The ID token is for the console (audience mlops-console), not an access token for the API.
    id_token = sign_in(provider, "grace")["id_token"]
    refused = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {id_token}"})
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"

    # The trail names who did what, with the provider's subjects.
    trail = httpx.get(f"{base}/v1/projects/{project_id}/audit", headers=alan).json()["items"]
    assert [(e["actor"], e["action"]) for e in trail] == [("u-alan", "project.created"), ("u-alan", "member.set")]

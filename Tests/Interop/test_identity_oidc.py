"""Bearer tokens against `mlops serve`, judged by tokens an independent library (PyJWT) signs.

An OIDC issuer is stood up here: a discovery document and a JWKS served by Python's own
HTTP server. Edge must take its genuine tokens, refuse every forgery and stretched claim,
and follow a key rotation. The local issuer's tokens (`mlops token`) are checked the other
way round: PyJWT verifies them against the JWKS Edge publishes.
"""

import base64
import hashlib
import hmac
import http.server
import json
import subprocess
import threading
import time

import httpx
import jwt
import pytest
from conftest import free_port, mlops_binary
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class Issuer:
    """An OIDC issuer: RSA keys by kid, the published subset served as its JWKS."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.keys = {}
        self.published = []
        self.jwks_fetches = 0
        issuer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path == "/.well-known/openid-configuration":
                    body = {"issuer": issuer.url, "jwks_uri": f"{issuer.url}/jwks.json"}
                elif self.path == "/jwks.json":
                    issuer.jwks_fetches += 1
                    body = {"keys": [issuer.jwk(kid) for kid in issuer.published]}
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def new_key(self, kid, publish=True):
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if publish:
            self.published.append(kid)

    def jwk(self, kid):
        key = json.loads(RSAAlgorithm.to_jwk(self.keys[kid].public_key()))
        return {**key, "kid": kid, "alg": "RS256", "use": "sig"}

    def token(self, kid="k1", **overrides):
        now = int(time.time())
        claims = {"iss": self.url, "aud": "mlops-api", "sub": "u-123", "name": "Grace", "exp": now + 600,
                  "nbf": now - 5, "iat": now - 5, "cognito:groups": ["reviewers"]}
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(claims, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def issuer():
    issuer = Issuer()
    issuer.new_key("k1")
    yield issuer
    issuer.server.shutdown()


def me(base, token=None, scheme="Bearer"):
    headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
    return httpx.get(f"{base}/v1/me", headers=headers, timeout=10)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forged(issuer):
    """Tokens that must all be refused, by name."""
    now = int(time.time())
    public_pem = issuer.keys["k1"].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    claims = {"iss": issuer.url, "aud": "mlops-api", "sub": "u-123", "exp": now + 600}
    issuer.new_key("unpublished", publish=False)
    # HS256 keyed with the published public key: the algorithm-confusion forgery, built by
    # hand because PyJWT refuses to make it.
    head = b64(json.dumps({"alg": "HS256", "kid": "k1", "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    mac = hmac.new(public_pem, f"{head}.{body}".encode(), hashlib.sha256).digest()
    hs_with_public_key = f"{head}.{body}.{b64(mac)}"
    genuine = issuer.token().split(".")
    return {
        "wrong key": issuer.token(kid="unpublished"),
        "expired": issuer.token(exp=now - 3600, iat=now - 7200, nbf=now - 7200),
        "not yet valid": issuer.token(nbf=now + 3600),
        "issued in the future": issuer.token(iat=now + 3600),
        "wrong issuer": issuer.token(iss="https://evil.example"),
        "wrong audience": issuer.token(aud="someone-else"),
        "no expiry": issuer.token(exp=None),
        "alg none": jwt.encode(claims, None, algorithm="none", headers={"kid": "k1"}),
        "HS256 keyed with the public key": hs_with_public_key,
        "payload changed": f"{genuine[0]}.{b64(json.dumps({**claims, 'sub': 'admin'}).encode())}.{genuine[2]}",
        "garbage": "not.a.token",
    }


def test_an_oidc_issuers_tokens_are_taken_and_forgeries_refused(mlops_serve, issuer):
    base = mlops_serve(MLOPS_OIDC_ISSUER=issuer.url, MLOPS_OIDC_AUDIENCE="mlops-api",
                       MLOPS_OIDC_GROUPS_CLAIM="cognito:groups", MLOPS_OIDC_JWKS_REFETCH_SECONDS="1")
    assert me(base).status_code == 401
    assert me(base, "x", scheme="Basic").status_code == 401

    genuine = me(base, issuer.token())
    assert genuine.status_code == 200, genuine.text
    body = genuine.json()
    assert body["subject"] == "u-123" and body["name"] == "Grace" and body["groups"] == ["reviewers"]
    assert body["issuer"] == issuer.url

    refused = {}
    for name, token in forged(issuer).items():
        response = me(base, token)
        refused[name] = response.status_code
        if response.status_code == 401:
            problem = response.json()
            assert problem["code"] == "unauthenticated", problem
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert response.headers["content-type"].startswith("application/problem+json")
    assert all(status == 401 for status in refused.values()), refused

    # The issuer rotates: a token under a key published after Edge cached the JWKS verifies
    # after one refetch, and forged kids do not refetch more than once a second.
    fetches = issuer.jwks_fetches
    for _ in range(5):
        me(base, issuer.token(kid="unpublished"))
    assert issuer.jwks_fetches - fetches <= 2
    time.sleep(1.1)
    issuer.new_key("k2")
    rotated = me(base, issuer.token(kid="k2"))
    assert rotated.status_code == 200, rotated.text

    # The project-role claim of the local issuer's tokens grants nothing from another issuer.
    owner = {"Authorization": f"Bearer {issuer.token(kid='k2')}"}
    project = httpx.post(f"{base}/v1/projects", json={"name": "owned"}, headers=owner).json()["id"]
    claimant = issuer.token(kid="k2", sub="u-999", mlops_roles=[f"{project}:admin"])
    headers = {"Authorization": f"Bearer {claimant}"}
    assert httpx.get(f"{base}/v1/projects/{project}", headers=headers).status_code == 404
    assert httpx.get(f"{base}/v1/projects", headers=headers).json()["items"] == []


def test_the_local_issuers_tokens_verify_with_an_independent_library(mlops_serve):
    base = mlops_serve()
    minted = subprocess.run(
        [mlops_binary(), "token", "--user", "ada", "--name", "Ada", "--group", "admins", "--ttl", "120"],
        env={"MLOPS_DATA_DIR": mlops_serve.data_dir, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True)
    token = minted.stdout.strip()
    jwks = httpx.get(f"{base}/.well-known/jwks.json", timeout=10).json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(token, key.key, algorithms=["ES256"], audience="mlops", issuer="mlops-local")
    assert claims["sub"] == "ada" and claims["groups"] == ["admins"] and claims["exp"] - claims["iat"] == 120

    response = me(base, token)
    assert response.status_code == 200, response.text
    assert response.json()["subject"] == "ada"
    assert me(base).status_code == 401

"""An OpenID Connect provider built on authlib and Flask, for the identity interop tests.

It is what a real issuer (Cognito, Auth0) does for a browser sign-in: discovery at
`/.well-known/openid-configuration`, its keys at `/jwks`, the authorization-code flow with
PKCE for a public client (`/authorize`, `/token`), an ID token, and an RFC 9068 JWT access
token (RS256) for the audience `mlops` carrying the user's name and groups. `/authorize`
signs in the user named by `login_hint` without a form, as if they had typed a password.
"""

import secrets
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.models import AuthorizationCodeMixin
from flask import Flask, jsonify, request
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "mlops-console"
REDIRECT_URI = "http://127.0.0.1:9/callback"
# More redirect URIs the client may use (a test adds the console's callback of its server).
EXTRA_REDIRECT_URIS: set[str] = set()


class User(dict):
    def get_user_id(self):
        return self["sub"]


USERS = {
    "grace": User(sub="u-grace", name="Grace Hopper", groups=["ml-reviewers"]),
    "alan": User(sub="u-alan", name="Alan Turing", groups=[]),
}


class PublicClient(ClientMixin):
    """The console: a public client (no secret) that must use PKCE."""

    def get_client_id(self):
        return CLIENT_ID

    def get_default_redirect_uri(self):
        return REDIRECT_URI

    def get_allowed_scope(self, scope):
        return " ".join(s for s in (scope or "").split() if s in ("openid", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri == REDIRECT_URI or redirect_uri in EXTRA_REDIRECT_URIS

    def check_client_secret(self, client_secret):
        return False

    def check_endpoint_auth_method(self, method, endpoint):
        return method == "none"

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code(AuthorizationCodeMixin):
    def __init__(self, code, user, scope, redirect_uri, challenge, method, nonce):
        self.code, self.user, self.scope, self.redirect_uri = code, user, scope, redirect_uri
        self.code_challenge, self.code_challenge_method, self.nonce = challenge, method, nonce
        self.auth_time = int(time.time())

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time


class Provider:
    def __init__(self, audience: str = "mlops"):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "authlib-1", "use": "sig", "alg": "RS256"})
        self.audience = audience
        self.codes: dict[str, Code] = {}
        self.app = Flask("authlib-oidc-provider")
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._routes(self._authorization_server())
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()

    def public_jwks(self):
        return KeySet([self.key]).as_dict(private=False)

    def _authorization_server(self):
        provider = self
        server = AuthorizationServer(self.app, query_client=lambda cid: PublicClient() if cid == CLIENT_ID else None,
                                     save_token=lambda token, req: None)

        class CodeGrant(grants.AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["none"]

            def save_authorization_code(self, code, req):
                data = req.payload.data
                provider.codes[code] = Code(code, req.user, req.scope, req.payload.redirect_uri,
                                            data.get("code_challenge"), data.get("code_challenge_method"),
                                            data.get("nonce"))

            def query_authorization_code(self, code, client):
                return provider.codes.get(code)

            def delete_authorization_code(self, authorization_code):
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code):
                return authorization_code.user

        class IDToken(OpenIDCode):
            def resolve_client_private_key(self, client):
                return provider.key

            def get_client_claims(self, client):
                return {"iss": provider.url, "aud": [CLIENT_ID]}

            def get_encode_header(self, client):
                return {"alg": "RS256", "kid": provider.key.kid}

            def generate_user_info(self, user, scope):
                return UserInfo(sub=user["sub"], name=user["name"])

        class AccessTokens(JWTBearerTokenGenerator):
            def get_jwks(self):
                return KeySet([provider.key]).as_dict(private=True)

            def get_audiences(self, client, user, scope):
                return [provider.audience]

            def get_extra_claims(self, client, grant_type, user, scope):
                return {"name": user["name"], "groups": user["groups"]}

        server.register_grant(CodeGrant, [CodeChallenge(required=True), IDToken(require_nonce=False)])
        server.register_token_generator("default", AccessTokens(issuer=self.url, alg="RS256"))
        return server

    def _routes(self, server):
        app = self.app

        @app.get("/.well-known/openid-configuration")
        def discovery():
            return jsonify({
                "issuer": self.url, "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token", "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["none"], "grant_types_supported": ["authorization_code"],
            })

        @app.get("/jwks")
        def jwks():
            return jsonify(self.public_jwks())

        @app.get("/authorize")
        def authorize():
            user = USERS.get(request.args.get("login_hint", ""))
            return server.create_authorization_response(grant_user=user)

        @app.post("/token")
        def token():
            return server.create_token_response()


def pkce_pair():
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    verifier = secrets.token_urlsafe(48)
    return verifier, create_s256_code_challenge(verifier)

"""A minimal OpenID Connect provider for tests, on 127.0.0.1: the discovery document, an authorization
endpoint that signs in one fixed user at once (no form), a token endpoint that checks the client's
secret and the code and returns an RS256-signed ID token with the request's nonce, and the key set.
Enough for Streamlit's st.login (Authlib) to complete a real sign-in against it; it records each
token request so a test can see the app really called it."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey


@dataclass
class Provider:
    """What the test configures in [auth] and what the provider saw."""

    issuer: str
    client_id: str
    client_secret: str
    email: str
    token_requests: list[dict] = field(default_factory=list)

    @property
    def server_metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"


def _handler(provider: Provider, key: RSAKey, codes: dict[str, str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            pass

        def send_json(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                self.send_json({
                    "issuer": provider.issuer, "authorization_endpoint": f"{provider.issuer}/authorize",
                    "token_endpoint": f"{provider.issuer}/token", "jwks_uri": f"{provider.issuer}/jwks",
                    "response_types_supported": ["code"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"],
                    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"]})
            elif url.path == "/jwks":
                self.send_json({"keys": [key.as_dict(private=False)]})
            elif url.path == "/authorize" and query.get("client_id") == provider.client_id:
                code = secrets.token_urlsafe(16)
                codes[code] = query.get("nonce", "")
                target = query["redirect_uri"] + "?" + urllib.parse.urlencode(
                    {"code": code, "state": query.get("state", "")})
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            else:
                self.send_json({"error": "not_found"}, 404)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                user, _, password = base64.b64decode(basic[6:]).decode().partition(":")
                form.setdefault("client_id", urllib.parse.unquote(user))
                form.setdefault("client_secret", urllib.parse.unquote(password))
            provider.token_requests.append(form)
            if (self.path != "/token" or form.get("client_secret") != provider.client_secret
                    or form.get("code") not in codes):
                self.send_json({"error": "invalid_grant"}, 400)
                return
            now = int(time.time())
            claims = {"iss": provider.issuer, "sub": "seller-1", "aud": provider.client_id, "iat": now,
                      "exp": now + 600, "nonce": codes.pop(form["code"]), "email": provider.email,
                      "email_verified": True, "name": "Test Seller"}
            id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
            self.send_json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                            "expires_in": 600, "id_token": id_token})

    return Handler


@contextmanager
def oidc_provider(email: str = "seller@example.com") -> Iterator[Provider]:
    """The provider on a free port of 127.0.0.1, stopped on exit."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
    codes: dict[str, str] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    provider = Provider(f"http://127.0.0.1:{server.server_address[1]}", "fba-health-test",
                        secrets.token_urlsafe(16), email)
    server.RequestHandlerClass = _handler(provider, key, codes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()

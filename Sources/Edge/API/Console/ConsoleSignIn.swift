import EdgeRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in and sign-out: the console is an OAuth 2 client using the authorization code flow
/// with PKCE (RFC 7636, S256). The embedded issuer's authorization endpoint is here too, for
/// local use: it signs in the local user, whoever reaches this loopback-bound server.
extension ConsoleController {
  /// Starts a sign-in: a fresh `state` and PKCE verifier in a short-lived cookie, and a
  /// redirect to the issuer's authorization endpoint with the verifier's challenge.
  @Sendable func login(_ request: Request, context: Context) async throws -> Response {
    guard localIssuer != nil else {
      throw Problem(
        status: .notImplemented, code: "console_sign_in_unavailable", title: "Sign-in unavailable",
        detail:
          "the console signs in through the embedded issuer; with MLOPS_OIDC_ISSUER set, use the API with your issuer's tokens")
    }
    let state = ConsoleSessionStore.secret()
    let verifier = ConsoleSessionStore.secret()
    var query = URLComponents()
    query.queryItems = [
      .init(name: "response_type", value: "code"), .init(name: "client_id", value: Self.clientID),
      .init(name: "redirect_uri", value: Self.callbackPath), .init(name: "state", value: state),
      .init(name: "code_challenge", value: ConsoleSessionStore.challenge(of: verifier)),
      .init(name: "code_challenge_method", value: "S256"),
    ]
    var response = redirect("/oauth/authorize?" + (query.percentEncodedQuery ?? ""))
    response.setCookie(
      Cookie(
        name: Self.loginCookie, value: "\(state).\(verifier)", maxAge: 600, path: "/console", secure: isSecure(request),
        httpOnly: true, sameSite: .lax))
    return response
  }

  /// The embedded issuer's authorization page: who the local user is, and a button.
  @Sendable func authorizePage(_ request: Request, context: Context) async throws -> Response {
    let query = request.uri.queryParameters
    let parameters = try authorizationParameters { query[Substring($0)].map(String.init) }
    return try renderer.page(
      "authorize",
      [
        "title": "Sign in", "subject": LocalIssuer.defaultUser, "client_id": parameters.clientID,
        "redirect_uri": parameters.redirectURI, "state": parameters.state, "code_challenge": parameters.challenge,
      ])
  }

  /// Issues a one-time code bound to the challenge and sends the browser back with it.
  @Sendable func authorize(_ request: Request, context: Context) async throws -> Response {
    let form = try await ConsoleForm.read(request, limit: maxBodyBytes)
    let parameters = try authorizationParameters { form.first($0) }
    let code = try await sessions.issueCode(
      subject: LocalIssuer.defaultUser, name: "Local user", challenge: parameters.challenge,
      redirectURI: parameters.redirectURI)
    var query = URLComponents()
    query.queryItems = [.init(name: "code", value: code), .init(name: "state", value: parameters.state)]
    return redirect(parameters.redirectURI + "?" + (query.percentEncodedQuery ?? ""))
  }

  struct AuthorizationParameters {
    var clientID: String
    var redirectURI: String
    var state: String
    var challenge: String
  }

  /// The embedded issuer takes one client, which returns only to this console's callback,
  /// with an S256 challenge.
  func authorizationParameters(_ value: (String) -> String?) throws -> AuthorizationParameters {
    guard localIssuer != nil else {
      throw Problem.notFound("route_not_found", "this server's issuer is not the embedded one")
    }
    guard value("client_id") == Self.clientID, value("redirect_uri") == Self.callbackPath,
      value("code_challenge_method") == "S256", let challenge = value("code_challenge"), challenge.count == 43,
      let state = value("state"), (16...128).contains(state.count)
    else {
      throw Problem(
        status: .badRequest, code: "invalid_request", title: "Invalid sign-in request",
        detail: "the authorization request must come from this console, with a state and an S256 code challenge")
    }
    return AuthorizationParameters(clientID: Self.clientID, redirectURI: Self.callbackPath, state: state, challenge: challenge)
  }

  /// The issuer sent the browser back: the state must be this browser's, the code is
  /// redeemed once with the PKCE verifier, and the token it yields opens a session.
  @Sendable func callback(_ request: Request, context: Context) async throws -> Response {
    let query = request.uri.queryParameters
    guard let pending = request.cookies[Self.loginCookie]?.value,
      let dot = pending.firstIndex(of: "."),
      let state = query["state"].map(String.init), state == String(pending[..<dot]),
      let code = query["code"].map(String.init),
      let localIssuer,
      let who = try await sessions.redeemCode(
        code, verifier: String(pending[pending.index(after: dot)...]), redirectURI: Self.callbackPath)
    else {
      throw Problem(
        status: .badRequest, code: "sign_in_failed", title: "Sign-in failed",
        detail: "the sign-in did not complete (it expired, or started in another browser); sign in again")
    }
    let token = try await localIssuer.mint(
      subject: who.subject, name: who.name, audience: audience, ttl: .seconds(Self.sessionHours * 3600))
    let caller = try await verifier.verify(token)
    let id = try await sessions.open(token: token, subject: caller.subject, expiresAt: caller.expiresAt)
    var response = redirect("/console")
    response.setCookie(
      Cookie(
        name: Self.sessionCookie, value: id, maxAge: Self.sessionHours * 3600, path: "/", secure: isSecure(request),
        httpOnly: true, sameSite: .lax))
    response.setCookie(
      Cookie(
        name: Self.loginCookie, value: "", maxAge: 0, path: "/console", secure: isSecure(request), httpOnly: true, sameSite: .lax)
    )
    return response
  }

  @Sendable func logout(_ request: Request, context: Context, signed: Signed, form: ConsoleForm) async throws -> Response {
    try await sessions.close(signed.sessionID)
    var response = redirect("/console")
    response.setCookie(
      Cookie(name: Self.sessionCookie, value: "", maxAge: 0, path: "/", secure: isSecure(request), httpOnly: true, sameSite: .lax)
    )
    return response
  }

  /// Behind TLS (a proxy that says so, or a public URL on https) the cookies are Secure.
  func isSecure(_ request: Request) -> Bool {
    request.head.scheme == "https" || request.head.headerFields[HTTPField.Name("X-Forwarded-Proto")!] == "https"
  }
}

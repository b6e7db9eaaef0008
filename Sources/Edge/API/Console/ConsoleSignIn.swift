import EdgeRuntime
import Foundation
import HTTPTypes
import Hummingbird

/// Sign-in and sign-out: the console is an OAuth 2 public client using the authorization code
/// flow with PKCE (RFC 7636, S256), against the configured OIDC issuer (`MLOPS_OIDC_ISSUER`)
/// or, without one, the embedded issuer, whose authorization endpoint is here too for local
/// use: it signs in the local user, whoever reaches this loopback-bound server.
extension ConsoleController {
  /// Starts a sign-in: a fresh `state` and PKCE verifier in a short-lived cookie, and a
  /// redirect to the issuer's authorization endpoint with the verifier's challenge.
  @Sendable func login(_ request: Request, context: Context) async throws -> Response {
    let state = ConsoleSessionStore.secret()
    let verifier = ConsoleSessionStore.secret()
    var items: [URLQueryItem] = [
      .init(name: "response_type", value: "code"), .init(name: "state", value: state),
      .init(name: "code_challenge", value: ConsoleSessionStore.challenge(of: verifier)),
      .init(name: "code_challenge_method", value: "S256"),
    ]
    let authorization: String
    if localIssuer != nil {
      authorization = "/oauth/authorize"
      items += [.init(name: "client_id", value: Self.clientID), .init(name: "redirect_uri", value: Self.callbackPath)]
    } else if let oidc {
      do {
        authorization = try await oidc.endpoints().authorization
      } catch {
        throw Problem(
          status: .badGateway, code: "issuer_unreachable", title: "Sign-in unavailable", detail: "\(error)")
      }
      items += [
        .init(name: "client_id", value: oidc.clientID), .init(name: "redirect_uri", value: callbackURL(request)),
        .init(name: "scope", value: "openid profile"),
      ]
      // Passed through for issuers that take a hint of who is signing in.
      if let hint = request.uri.queryParameters["login_hint"].map(String.init), (1...256).contains(hint.count) {
        items.append(.init(name: "login_hint", value: hint))
      }
    } else {
      throw Problem.notFound("route_not_found", "this server has no issuer to sign in with")
    }
    var query = URLComponents()
    query.queryItems = items
    var response = redirect(authorization + "?" + (query.percentEncodedQuery ?? ""))
    response.setCookie(cookie(Self.loginCookie, "\(state).\(verifier)", maxAge: 600, path: "/console", request))
    return response
  }

  /// Where the configured issuer sends the browser back: an absolute URL, from
  /// `MLOPS_PUBLIC_URL` when set, else from the Host the browser used.
  func callbackURL(_ request: Request) -> String {
    (publicURL ?? "http://\(request.head.authority ?? "127.0.0.1")") + Self.callbackPath
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
    let failed = Problem(
      status: .badRequest, code: "sign_in_failed", title: "Sign-in failed",
      detail: "the sign-in did not complete (it expired, was refused, or started in another browser); sign in again")
    guard let pending = request.cookies[Self.loginCookie]?.value, let dot = pending.firstIndex(of: "."),
      let state = query["state"].map(String.init), state == String(pending[..<dot]),
      let code = query["code"].map(String.init)
    else { throw failed }
    let codeVerifier = String(pending[pending.index(after: dot)...])
    let token: String
    if let localIssuer {
      guard let who = try await sessions.redeemCode(code, verifier: codeVerifier, redirectURI: Self.callbackPath) else {
        throw failed
      }
      token = try await localIssuer.mint(
        subject: who.subject, name: who.name, audience: audience, ttl: .seconds(Self.sessionHours * 3600))
    } else if let oidc {
      do {
        token = try await oidc.exchange(code: code, verifier: codeVerifier, redirectURI: callbackURL(request))
      } catch {
        throw failed
      }
    } else {
      throw failed
    }
    // The session takes the token only as the API would: verified, for this audience.
    let caller: Caller
    do {
      caller = try await verifier.verify(token)
    } catch {
      throw Problem(
        status: .forbidden, code: "sign_in_refused", title: "Sign-in refused", detail: "the issuer's token was refused: \(error)")
    }
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

  /// The console's cookies: HttpOnly, SameSite=Lax, and Secure behind TLS; a zero `maxAge`
  /// removes one.
  func cookie(_ name: String, _ value: String, maxAge: Int, path: String, _ request: Request) -> Cookie {
    Cookie(name: name, value: value, maxAge: maxAge, path: path, secure: isSecure(request), httpOnly: true, sameSite: .lax)
  }

  /// Behind TLS (a proxy that says so, or a public URL on https) the cookies are Secure.
  func isSecure(_ request: Request) -> Bool {
    request.head.scheme == "https" || request.head.headerFields[HTTPField.Name("X-Forwarded-Proto")!] == "https"
  }
}

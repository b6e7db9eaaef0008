import Contracts
import EdgeRuntime
import Foundation
import Hummingbird
import Logging

/// The web console at `/console`: server-rendered pages over the same stores and handlers as
/// the API, for a browser holding a session cookie. Sign-in is OAuth 2 authorization code
/// with PKCE against the embedded issuer (`/oauth/authorize`, for local use). Every form
/// carries the session's CSRF token; every page carries a strict Content-Security-Policy.
/// With `MLOPS_OIDC_ISSUER` set, the same flow runs against that issuer instead.
package struct ConsoleController<Context: IdentifiedRequestContext>: Sendable {
  package struct Handlers: Sendable {
    let projects: ProjectsController<Context>
    let decisionSets: DecisionSetsController<Context>
    let versions: VersionsController<Context>
    let artifacts: ArtifactsController<Context>

    package init(
      projects: ProjectsController<Context>, decisionSets: DecisionSetsController<Context>,
      versions: VersionsController<Context>, artifacts: ArtifactsController<Context>
    ) {
      self.projects = projects
      self.decisionSets = decisionSets
      self.versions = versions
      self.artifacts = artifacts
    }
  }

  let renderer: ConsoleRenderer
  let sessions: ConsoleSessionStore
  let verifier: TokenVerifier
  let localIssuer: LocalIssuer?
  /// The configured issuer's sign-in, when there is one (then `localIssuer` is nil).
  let oidc: OIDCSignIn?
  /// `MLOPS_PUBLIC_URL`: the console's address as browsers reach it.
  let publicURL: String?
  let audience: String
  let pages: ConsolePages
  let handlers: Handlers
  /// The event streams, with their limits; nil where this server follows no NOTIFY.
  let streams: StreamsController<Context>?
  let maxBodyBytes: Int

  static var sessionCookie: String { "mlops_session" }
  static var loginCookie: String { "mlops_login" }
  static var clientID: String { "mlops-console" }
  static var callbackPath: String { "/console/callback" }
  static var sessionHours: Int { 8 }

  package init(
    renderer: ConsoleRenderer, sessions: ConsoleSessionStore, verifier: TokenVerifier, localIssuer: LocalIssuer?,
    oidc: OIDCSignIn?, publicURL: String?, audience: String, pages: ConsolePages, handlers: Handlers,
    streams: StreamsController<Context>?, maxBodyBytes: Int
  ) {
    self.renderer = renderer
    self.sessions = sessions
    self.verifier = verifier
    self.localIssuer = localIssuer
    self.oidc = oidc
    self.publicURL = publicURL
    self.audience = audience
    self.pages = pages
    self.handlers = handlers
    self.streams = streams
    self.maxBodyBytes = maxBodyBytes
  }

  package func addRoutes(to router: Router<Context>) {
    router.get { _, _ in Response(status: .seeOther, headers: [.location: "/console"]) }
    router.get("console/static/app.css") { _, _ in renderer.asset(renderer.stylesheet, type: "text/css; charset=utf-8") }
    router.get("console/static/app.js") { _, _ in renderer.asset(renderer.script, type: "text/javascript; charset=utf-8") }
    router.get("console/login", use: shown(login))
    router.get("console/callback", use: shown(callback))
    router.get("oauth/authorize", use: shown(authorizePage))
    router.post("oauth/authorize", use: shown(authorize))
    router.post("console/logout", use: page(logout))
    router.get("console", use: page(projects))
    router.post("console/projects", use: page(createProject))
    router.get("console/projects/:id", use: page(project))
    router.post("console/projects/:id/decision-sets", use: page(submit))
    router.get("console/decision-sets/:id", use: page(decisionSet))
    router.get("console/decision-sets/:id/events", use: events)
    router.post("console/decision-sets/:id/answers", use: page(answer))
    router.post("console/decision-sets/:id/approve", use: page(approve))
    router.post("console/decision-sets/:id/constraints", use: page(correct))
    router.post("console/decision-sets/:id/plan", use: page(choose))
    router.post("console/decision-sets/:id/revisions", use: page(revise))
    router.get("console/decision-sets/:id/changes", use: page(changes))
  }

  // MARK: Sessions

  struct Signed: Sendable {
    var caller: Caller
    var csrf: String
    var sessionID: String
  }

  /// The signed-in caller, from the session cookie and the token the session holds.
  func signed(_ request: Request) async throws -> Signed? {
    guard let id = request.cookies[Self.sessionCookie]?.value, !id.isEmpty,
      let session = try await sessions.session(id),
      let caller = try? await verifier.verify(session.token)
    else { return nil }
    return Signed(caller: caller, csrf: session.csrf, sessionID: id)
  }

  /// A page's handler gets the signed-in caller and, for a POST, the form it sent.
  typealias PageHandler = @Sendable (Request, Context, Signed, ConsoleForm) async throws -> Response

  /// A console page: the sign-in page without a session, the CSRF check on every POST, and
  /// a problem rendered as a page (its title and detail), never a stack.
  func page(_ handler: @escaping PageHandler) -> @Sendable (Request, Context) async throws -> Response {
    { request, context in
      guard let signed = try await signed(request) else {
        if request.method == .get, request.uri.path == "/console" {
          return try renderer.page(
            "signin", ["title": "Sign in", "issuer": localIssuer == nil ? "your identity provider" : "the local issuer"])
        }
        return Response(status: .seeOther, headers: [.location: "/console"])
      }
      var context = context
      context.caller = signed.caller
      do {
        if request.method == .post {
          let form = try await ConsoleForm.read(request, limit: maxBodyBytes)
          guard let csrf = form.first("csrf"), csrf == signed.csrf else {
            throw Problem.forbidden("the form is stale or did not come from this console; reload the page and try again")
          }
          return try await handler(request, context, signed, form)
        }
        return try await handler(request, context, signed, ConsoleForm(encoded: ""))
      } catch let problem as Problem {
        return try errorPage(
          problem, back: request.head.headerFields[.referer].flatMap { URL(string: $0)?.path } ?? "/console", signed: signed)
      }
    }
  }

  /// A route outside a session (the sign-in steps): a problem is a page too, never JSON.
  func shown(
    _ handler: @escaping @Sendable (Request, Context) async throws -> Response
  ) -> @Sendable (Request, Context) async throws -> Response {
    { request, context in
      do {
        return try await handler(request, context)
      } catch let problem as Problem {
        return try errorPage(problem, back: "/console", signed: nil)
      }
    }
  }

  /// A problem as people read it: its title and detail, and a way back.
  func errorPage(_ problem: Problem, back: String, signed: Signed?) throws -> Response {
    var page: [String: Any] = ["title": problem.title, "problem_title": problem.title, "detail": problem.detail, "back": back]
    if let signed {
      page["user"] = signed.caller.displayName
      page["csrf"] = signed.csrf
    }
    return try renderer.page("error", page, status: problem.status)
  }

  func redirect(_ location: String) -> Response {
    var response = Response(status: .seeOther, headers: [.location: location])
    ConsoleRenderer.secure(&response.headers)
    return response
  }
}

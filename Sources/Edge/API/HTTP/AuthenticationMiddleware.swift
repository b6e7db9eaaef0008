import EdgeRuntime
import Hummingbird

/// Every `/v1` route: the bearer token is verified before the handler runs and the caller
/// put in the context; no token, or one that does not verify, is a 401.
package struct AuthenticationMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
  let authentication: BearerAuthentication

  package init(authentication: BearerAuthentication) {
    self.authentication = authentication
  }

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    var context = context
    context.caller = try await authentication.caller(request)
    return try await next(request, context)
  }
}

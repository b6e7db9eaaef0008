import EdgeRuntime
import Hummingbird
import Logging

/// Turns every error into `application/problem+json`: Problems pass through, Hummingbird's
/// own HTTP errors (unknown route, body too large) get a code, and anything else becomes a
/// logged 500 that reveals nothing internal.
package struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
  let maxBodyBytes: Int

  package init(maxBodyBytes: Int) {
    self.maxBodyBytes = maxBodyBytes
  }

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    do {
      return try await next(request, context)
    } catch let problem as Problem {
      throw problem
    } catch let error as HTTPError {
      throw problem(for: error)
    } catch {
      context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
      throw Problem(
        status: .internalServerError, code: "internal_error", title: "Internal error",
        detail: "the server failed to handle this request; it has been logged")
    }
  }

  private func problem(for error: HTTPError) -> Problem {
    switch error.status {
    case .notFound:
      Problem.notFound("route_not_found", error.body ?? "no route matches this method and path")
    case .contentTooLarge:
      Problem.payloadTooLarge(limit: maxBodyBytes)
    case .methodNotAllowed:
      Problem(status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: error.body ?? "")
    default:
      Problem(
        status: error.status, code: "http_\(error.status.code)", title: error.status.reasonPhrase,
        detail: error.body ?? error.status.reasonPhrase)
    }
  }
}

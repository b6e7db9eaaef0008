import EdgeRuntime
import Hummingbird

/// Every `/v1` request takes a token from its caller's bucket, shared by every API replica;
/// an empty bucket is a 429 with `Retry-After`. Each answer carries the caller's
/// `RateLimit` and `RateLimit-Policy` fields. (Project routes take one from the project's
/// bucket too: `ProjectAccess`.)
package struct RateLimitMiddleware<Context: IdentifiedRequestContext>: RouterMiddleware {
  let limits: APIRateLimits

  package init(limits: APIRateLimits) {
    self.limits = limits
  }

  package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
    async throws -> Response
  {
    let decision = try await limits.takeForCaller(try context.authenticated().subject)
    guard decision.allowed else { throw RateLimitHeaders.refusal(decision, scope: "one caller") }
    var response = try await next(request, context)
    for field in RateLimitHeaders.fields(decision) where response.headers[field.name] == nil {
      response.headers.append(field)
    }
    return response
  }
}

/// The API's two quotas: per caller (every `/v1` request) and per project (every request on a
/// project's data, whoever makes it).
package struct APIRateLimits: Sendable {
  let limiter: RateLimiter
  let caller: RateLimiter.Policy
  let project: RateLimiter.Policy

  package init(limiter: RateLimiter, callerPerMinute: Int, projectPerMinute: Int) {
    self.limiter = limiter
    self.caller = RateLimiter.Policy(name: "caller", quota: callerPerMinute, windowSeconds: 60)
    self.project = RateLimiter.Policy(name: "project", quota: projectPerMinute, windowSeconds: 60)
  }

  func takeForCaller(_ subject: String) async throws -> RateLimiter.Decision {
    try await limiter.take("caller:" + subject, policy: caller)
  }

  func takeForProject(_ id: String) async throws -> RateLimiter.Decision {
    try await limiter.take("project:" + id, policy: project)
  }
}

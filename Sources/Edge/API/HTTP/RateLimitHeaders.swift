import EdgeRuntime
import HTTPTypes

/// The IETF rate-limit fields (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy` names
/// each quota (`"caller";q=600;w=60`), `RateLimit` says what is left of it and when it is
/// whole again (`"caller";r=598;t=1`).
enum RateLimitHeaders {
  static let policyName = HTTPField.Name("RateLimit-Policy")!
  static let limitName = HTTPField.Name("RateLimit")!

  static func fields(policy: String, quota: Int, window: Int, remaining: Int, reset: Int) -> HTTPFields {
    [
      policyName: "\"\(policy)\";q=\(quota);w=\(window)",
      limitName: "\"\(policy)\";r=\(remaining);t=\(reset)",
    ]
  }

  static func fields(_ decision: RateLimiter.Decision) -> HTTPFields {
    fields(
      policy: decision.policy.name, quota: decision.policy.quota, window: decision.policy.windowSeconds,
      remaining: decision.remaining, reset: decision.resetSeconds)
  }

  /// 429 `rate_limited`, with `Retry-After` and the quota that refused.
  static func refusal(_ decision: RateLimiter.Decision, scope: String) -> Problem {
    Problem(
      status: .tooManyRequests, code: "rate_limited", title: "Too many requests",
      detail:
        "\(scope) may make \(decision.policy.quota) requests per \(decision.policy.windowSeconds) s; "
        + "retry in \(decision.retryAfterSeconds) s",
      retryAfterSeconds: decision.retryAfterSeconds, headers: fields(decision))
  }
}

import Contracts

/// How much of the request log a service keeps: every request up to `fullRate` a second;
/// above that one successful request in `every`, so that about `fullRate` a second are
/// logged, and every error. The one figure the cost estimate prices and the generated
/// service is configured with (`ACCESS_LOG_SAMPLE_EVERY`), so the two cannot disagree.
public struct RequestLogSampling: Sendable, Equatable {
  /// Successful requests per logged one: 1 logs them all.
  public var every: Int

  /// Requests a second logged in full before sampling starts.
  public static let fullRate = 100.0
  /// The share of requests assumed to fail (and so always logged) when pricing the log.
  public static let assumedErrorRate = 0.001

  public init(constraints: Mlops_V1_Constraints) {
    self.init(requestsPerSecond: ServingCapacity.requestsPerSecond(constraints))
  }

  public init(requestsPerSecond: Double) {
    guard requestsPerSecond.isFinite, requestsPerSecond > Self.fullRate else {
      every = 1
      return
    }
    let ratio = (requestsPerSecond / Self.fullRate).rounded(.up)
    every = ratio < Double(Int32.max) ? Int(ratio) : Int(Int32.max)
  }

  /// Requests logged a second at `requestsPerSecond`: the sampled successes and every error.
  public func loggedPerSecond(_ requestsPerSecond: Double) -> Double {
    guard every > 1 else { return requestsPerSecond }
    let errors = requestsPerSecond * Self.assumedErrorRate
    return (requestsPerSecond - errors) / Double(every) + errors
  }
}

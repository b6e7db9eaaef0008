import Foundation

/// Exponential backoff with jitter: attempt n waits a random time in
/// [base·2^(n-1)/2, base·2^(n-1)], capped, so retries of many failed jobs spread out
/// while none comes back sooner than half its step.
package struct RetryBackoff: Sendable, Equatable {
  package var base: Duration
  package var cap: Duration

  package init(base: Duration = .seconds(1), cap: Duration = .seconds(300)) {
    self.base = base
    self.cap = cap
  }

  package func delay(afterAttempt attempt: Int, random: Double = .random(in: 0...1)) -> Duration {
    let exponent = min(max(attempt - 1, 0), 30)
    let ceiling = min(base * (1 << exponent), cap)
    return ceiling / 2 + (ceiling / 2) * random
  }
}

import Synchronization

/// Stops calling a provider that keeps failing: closed (calls go through), open after K
/// failures in a row (calls are refused), half-open after a cool-down (one trial call;
/// success closes, failure opens again).
public final class CircuitBreaker: Sendable {
  public enum State: Sendable, Equatable { case closed, open, halfOpen }

  public let failureThreshold: Int
  public let coolDown: Duration
  private let clock: @Sendable () -> ContinuousClock.Instant
  private let guarded: Mutex<(state: State, failures: Int, openedAt: ContinuousClock.Instant?, trialInFlight: Bool)>

  public init(
    failureThreshold: Int, coolDown: Duration, clock: @escaping @Sendable () -> ContinuousClock.Instant = { .now }
  ) {
    self.failureThreshold = max(1, failureThreshold)
    self.coolDown = coolDown
    self.clock = clock
    guarded = Mutex((.closed, 0, nil, false))
  }

  public var state: State {
    guarded.withLock { current in
      if current.state == .open, let opened = current.openedAt, clock() - opened >= coolDown { return .halfOpen }
      return current.state
    }
  }

  /// Whether a call may go out now; in half-open, only one trial at a time.
  public func allowsCall() -> Bool {
    guarded.withLock { current in
      switch current.state {
      case .closed:
        return true
      case .open:
        guard let opened = current.openedAt, clock() - opened >= coolDown else { return false }
        current.state = .halfOpen
        current.trialInFlight = true
        return true
      case .halfOpen:
        if current.trialInFlight { return false }
        current.trialInFlight = true
        return true
      }
    }
  }

  public func recordSuccess() {
    guarded.withLock { $0 = (.closed, 0, nil, false) }
  }

  public func recordFailure() {
    let now = clock()
    guarded.withLock { current in
      current.failures += 1
      current.trialInFlight = false
      if current.state == .halfOpen || current.failures >= failureThreshold {
        current.state = .open
        current.openedAt = now
      }
    }
  }
}

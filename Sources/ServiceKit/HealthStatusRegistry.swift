import Contracts
import Synchronization

/// The serving status of each gRPC service in a process, as the health service reports it.
/// The empty name stands for the server as a whole.
public final class HealthStatusRegistry: Sendable {
  public typealias Status = Grpc_Health_V1_HealthCheckResponse.ServingStatus

  private struct State {
    var statuses: [String: Status] = [:]
    var watchers: [Int: (service: String, continuation: AsyncStream<Status>.Continuation)] = [:]
    var nextWatcher = 0
    var shutDown = false
  }

  private let state = Mutex(State())

  public init() {}

  public func set(_ status: Status, for service: String) {
    let watchers = state.withLock { state in
      state.statuses[service] = status
      return state.watchers.values.filter { $0.service == service }.map(\.continuation)
    }
    for watcher in watchers { watcher.yield(status) }
  }

  /// Marks every registered service NOT_SERVING, as a server does when it starts draining.
  public func setAllNotServing() {
    for service in state.withLock({ Array($0.statuses.keys) }) { set(.notServing, for: service) }
  }

  public func status(of service: String) -> Status? {
    state.withLock { $0.statuses[service] }
  }

  public var all: [String: Status] {
    state.withLock { $0.statuses }
  }

  /// One watcher's stream of a service's status: the current one first, then each change,
  /// until `stop()` or the registry's `shutdown()`.
  public struct Watch: Sendable {
    public let stream: AsyncStream<Status>
    let continuation: AsyncStream<Status>.Continuation

    public func stop() { continuation.finish() }
  }

  public func watch(_ service: String) -> Watch {
    let (stream, continuation) = AsyncStream<Status>.makeStream(bufferingPolicy: .bufferingNewest(1))
    let registered = state.withLock { state -> Int? in
      guard !state.shutDown else { return nil }
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = (service, continuation)
      continuation.yield(state.statuses[service] ?? .serviceUnknown)
      return id
    }
    guard let id = registered else {
      continuation.yield(.notServing)
      continuation.finish()
      return Watch(stream: stream, continuation: continuation)
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
    }
    return Watch(stream: stream, continuation: continuation)
  }

  /// Marks everything NOT_SERVING and ends every watch, so a draining server is not held
  /// open by clients watching its health.
  public func shutdown() {
    setAllNotServing()
    let watchers = state.withLock { state in
      state.shutDown = true
      return state.watchers.values.map(\.continuation)
    }
    for watcher in watchers { watcher.finish() }
  }
}

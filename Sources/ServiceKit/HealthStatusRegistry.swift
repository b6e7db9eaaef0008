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

  /// A stream of the service's status: the current one first, then each change.
  public func watch(_ service: String) -> AsyncStream<Status> {
    let (stream, continuation) = AsyncStream<Status>.makeStream(bufferingPolicy: .bufferingNewest(1))
    let id = state.withLock { state in
      let id = state.nextWatcher
      state.nextWatcher += 1
      state.watchers[id] = (service, continuation)
      continuation.yield(state.statuses[service] ?? .serviceUnknown)
      return id
    }
    continuation.onTermination = { [weak self] _ in
      _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
    }
    return stream
  }
}

import EdgeRuntime
import Foundation
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Listens on `mlops_events` over one dedicated connection and wakes the streams of the
/// decision set each notification names, so any API process can serve any stream whichever
/// process wrote the events.
package final class EventNotifications: Service, Sendable {
  private struct Entry {
    var signal: WakeSignal
    var subscribers: Int
  }

  private let client: PostgresClient
  private let logger: Logger
  private let entries = Mutex<[UUID: Entry]>([:])

  package init(client: PostgresClient, logger: Logger) {
    self.client = client
    self.logger = logger
  }

  /// The wake signal for one decision set; call `unsubscribe` when the stream ends.
  package func subscribe(_ id: UUID) -> WakeSignal {
    entries.withLock { entries in
      var entry = entries[id] ?? Entry(signal: WakeSignal(), subscribers: 0)
      entry.subscribers += 1
      entries[id] = entry
      return entry.signal
    }
  }

  package func unsubscribe(_ id: UUID) {
    entries.withLock { entries in
      guard var entry = entries[id] else { return }
      entry.subscribers -= 1
      entries[id] = entry.subscribers > 0 ? entry : nil
    }
  }

  package var subscriberCount: Int { entries.withLock { $0.values.reduce(0) { $0 + $1.subscribers } } }

  private func wake(_ id: UUID?) {
    let signals = entries.withLock { entries in
      if let id { return entries[id].map { [$0.signal] } ?? [] }
      return entries.values.map(\.signal)
    }
    for signal in signals { signal.signal() }
  }

  package func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        do {
          try await self.client.withConnection { connection in
            try await connection.listen(on: GraphEngine.eventsChannel) { notifications in
              // Whatever was written while not listening is found by a look now.
              self.wake(nil)
              for try await notification in notifications { self.wake(UUID(uuidString: notification.payload)) }
            }
          }
        } catch is CancellationError {
          return
        } catch {
          if Task.isCancelled { return }
          self.logger.warning("event notifications interrupted; reconnecting", metadata: ["error": "\(error)"])
          try? await Task.sleep(for: .seconds(1))
        }
      }
    }
  }
}

import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle

/// Listens on the jobs channel over a dedicated connection and wakes the executors, so
/// workers sleep until there is work. Reconnects after a lost connection; the executors' slow
/// poll covers the gap.
package struct JobNotificationListener: Service {
  let client: PostgresClient
  let wake: WakeSignal
  let logger: Logger

  package init(client: PostgresClient, wake: WakeSignal, logger: Logger) {
    self.client = client
    self.wake = wake
    self.logger = logger
  }

  package func run() async throws {
    await cancelWhenGracefulShutdown {
      while !Task.isCancelled {
        do {
          try await client.withConnection { connection in
            try await connection.listen(on: JobQueue.channel) { notifications in
              // Anything enqueued before LISTEN took effect is found by this wake-up.
              wake.signal()
              for try await _ in notifications { wake.signal() }
            }
          }
        } catch is CancellationError {
          return
        } catch {
          if Task.isCancelled { return }
          logger.warning("job notifications interrupted; reconnecting", metadata: ["error": "\(error)"])
          try? await Task.sleep(for: .seconds(1))
        }
      }
    }
  }
}

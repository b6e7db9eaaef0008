import Contracts
import EdgeRuntime
import Foundation
import Hummingbird
import Logging
import PostgresNIO
import ServiceKit
import ServiceLifecycle
import Synchronization

/// Streams one decision set's events: everything after the client's last event id from the
/// table, then each new one as NOTIFY announces it, with pings between. Ends after
/// `run-complete` or `run-error`, at the maximum duration (so proxies with a request limit
/// never cut an event in half; the client resumes with Last-Event-ID), on disconnect, or on
/// shutdown.
package struct EventStreamer: Sendable {
  package struct Settings: Sendable {
    package var ping: Duration
    package var maxDuration: Duration
    package var retry: Duration

    package init(ping: Duration = .seconds(10), maxDuration: Duration = .seconds(100), retry: Duration = .seconds(2)) {
      self.ping = ping
      self.maxDuration = maxDuration
      self.retry = retry
    }
  }

  let store: DecisionSetStore
  let notifications: EventNotifications
  let settings: Settings
  let logger: Logger

  package init(
    store: DecisionSetStore, notifications: EventNotifications, settings: Settings,
    logger: Logger
  ) {
    self.store = store
    self.notifications = notifications
    self.settings = settings
    self.logger = logger
  }

  /// Why a stream ended.
  enum Ending: String {
    case finished
    case maxDuration = "max_duration"
    case disconnected, shutdown
  }

  /// The stream's response; `permit` is held until the body ends (or is never written).
  /// `release` runs when the stream ends, however it ends (it gives back the caller's lease).
  func response(
    for request: Request, id: UUID, after: Int64, holding permit: StreamLimiter.Permit? = nil,
    release: (@Sendable () async -> Void)? = nil
  ) -> Response {
    let streamer = self
    return Response(
      status: .ok,
      headers: [.contentType: "text/event-stream", .cacheControl: "no-cache", .init("X-Accel-Buffering")!: "no"],
      body: ResponseBody { writer in
        defer { withExtendedLifetime(permit) {} }
        do {
          try await streamer.serve(request: request, id: id, after: after, writer: &writer)
        } catch {
          await release?()
          throw error
        }
        await release?()
      })
  }

  private func serve(request: Request, id: UUID, after: Int64, writer: inout any ResponseBodyWriter) async throws {
    let streamer = self
    let closed = Atomic<Bool>(false)
    let signal = notifications.subscribe(id)
    defer { notifications.unsubscribe(id) }
    let ending = try await request.body.consumeWithInboundCloseHandler { _ in
      try await withGracefulShutdownHandler {
        try await streamer.follow(id: id, after: after, signal: signal, writer: &writer) {
          closed.load(ordering: .relaxed)
        }
      } onGracefulShutdown: {
        closed.store(true, ordering: .relaxed)
        signal.signal()
      }
    } onInboundClosed: {
      closed.store(true, ordering: .relaxed)
      signal.signal()
    }
    if ending == .disconnected {
      try? await store.markStreamAbandoned(id)
    }
    try await writer.finish(nil)
  }

  private func follow(
    id: UUID, after: Int64, signal: WakeSignal, writer: inout any ResponseBodyWriter, isClosed: () -> Bool
  ) async throws -> Ending {
    let retryMilliseconds = Int(settings.retry.components.seconds * 1000)
    try await writer.write(ByteBuffer(string: ServerSentEvents.retry(milliseconds: retryMilliseconds)))
    let deadline = ContinuousClock.now + settings.maxDuration
    var last = after
    var first = true
    while true {
      let generation = signal.generation
      // Everything after the last event sent, from the table: no gap, no duplicate.
      while true {
        let events = try await store.events(of: id, after: last, limit: 500)
        for event in events {
          try await writer.write(ServerSentEvents.event(id: event.id, type: event.type, data: event.payload))
          last = event.id
          if let type = EventType(rawValue: event.type), EventType.terminal.contains(type) { return .finished }
        }
        if events.count < 500 { break }
      }
      // A client resuming after a finished run's last event has nothing more coming.
      if first, let status = try await store.status(of: id), Mlops_V1_RunStatus.finishedAPINames.contains(status) {
        return .finished
      }
      first = false
      if isClosed() { return Task.isCancelled ? .shutdown : .disconnected }
      let remaining = deadline - ContinuousClock.now
      if remaining <= .zero { return .maxDuration }
      let started = ContinuousClock.now
      await signal.wait(after: generation, timeout: min(settings.ping, remaining))
      if isClosed() { return .disconnected }
      if signal.generation == generation, ContinuousClock.now - started >= min(settings.ping, remaining) {
        if ContinuousClock.now >= deadline { return .maxDuration }
        try await writer.write(ByteBuffer(string: ServerSentEvents.ping()))
      }
    }
  }
}

import EdgeRuntime
import Metrics
import Synchronization

/// Caps open SSE streams in one API process, in total and per client address, so that one
/// client cannot hold every connection (each idle stream costs about 40 KiB). A stream holds
/// a `Permit` for as long as it is open; the permit gives its place back when it is released,
/// whatever ended the stream.
package final class StreamLimiter: Sendable {
  package let maxStreams: Int
  package let maxPerClient: Int
  private let open = Mutex<(total: Int, byClient: [String: Int])>((0, [:]))
  /// Open streams, for `/metrics` (recorded under the lock, so the last write is the count).
  private let openGauge = Gauge(label: "mlops_sse_open_streams")

  package init(maxStreams: Int, maxPerClient: Int) {
    self.maxStreams = maxStreams
    self.maxPerClient = maxPerClient
  }

  package final class Permit: Sendable {
    let limiter: StreamLimiter
    let client: String

    init(limiter: StreamLimiter, client: String) {
      self.limiter = limiter
      self.client = client
    }

    deinit { limiter.release(client) }
  }

  package enum Refusal: Error, Equatable { case full, clientFull }

  /// A permit for one more stream from `client`, or why there is none.
  package func acquire(client: String) -> Result<Permit, Refusal> {
    let refusal: Refusal? = open.withLock { state in
      if state.total >= maxStreams { return .full }
      if state.byClient[client, default: 0] >= maxPerClient { return .clientFull }
      state.total += 1
      state.byClient[client, default: 0] += 1
      openGauge.record(state.total)
      return nil
    }
    if let refusal { return .failure(refusal) }
    return .success(Permit(limiter: self, client: client))
  }

  package var openStreams: Int { open.withLock { $0.total } }

  private func release(_ client: String) {
    open.withLock { state in
      state.total -= 1
      openGauge.record(state.total)
      let left = state.byClient[client, default: 1] - 1
      state.byClient[client] = left > 0 ? left : nil
    }
  }
}

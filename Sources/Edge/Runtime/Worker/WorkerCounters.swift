import Synchronization

/// What one worker process has done since it started, for its health endpoint.
public final class WorkerCounters: Sendable {
  public struct Snapshot: Sendable, Codable, Equatable {
    public var claimed = 0
    public var succeeded = 0
    public var retried = 0
    public var dead = 0
    public var leasesLost = 0
    public var released = 0
    public var running = 0

    enum CodingKeys: String, CodingKey {
      case claimed, succeeded, retried, dead, released, running
      case leasesLost = "leases_lost"
    }
  }

  private let counts = Mutex(Snapshot())

  public init() {}

  public var snapshot: Snapshot { counts.withLock { $0 } }

  func update(_ change: (inout Snapshot) -> Void) {
    counts.withLock { change(&$0) }
  }
}

import Crypto
import Foundation
import Synchronization

/// Tokens already verified, by their SHA-256, so a client that sends the same token with
/// every request pays for its signature once. An entry holds for the times the token itself
/// was checked against (from its `nbf`/`iat` to its `exp`, each within the clock skew) and at
/// most five minutes, so a key the issuer withdraws stops working soon after; past
/// `capacity` entries the cache starts again empty.
final class VerifiedTokenCache: Sendable {
  private let entries = Mutex<[Data: (caller: Caller, from: Date, until: Date)]>([:])
  private let capacity: Int

  static var longest: TimeInterval { 300 }

  init(capacity: Int = 10_000) {
    self.capacity = capacity
  }

  func caller(for token: String, now: Date) -> Caller? {
    let key = Self.key(token)
    return entries.withLock { entries in
      guard let entry = entries[key] else { return nil }
      guard now <= entry.until else {
        entries[key] = nil
        return nil
      }
      guard now >= entry.from else { return nil }
      return entry.caller
    }
  }

  func store(_ caller: Caller, for token: String, from: Date, until: Date, now: Date) {
    let key = Self.key(token)
    let until = min(until, now.addingTimeInterval(Self.longest))
    entries.withLock { entries in
      if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
      entries[key] = (caller, from, until)
    }
  }

  private static func key(_ token: String) -> Data {
    Data(SHA256.hash(data: Data(token.utf8)))
  }
}

import Crypto
import Foundation
import Logging
import PostgresNIO
import ServiceKit

/// Whether a stored bundle is still the bytes its SHA-256 names: checked on every download and
/// by `mlops storage verify` over every artifact the database says is stored.
package enum ArtifactIntegrity {
  package enum Finding: Sendable, Equatable {
    case intact
    case missing
    case corrupt(actualSHA256: String)
  }

  package static func check(_ bytes: Data?, expectedSHA256: String) -> Finding {
    guard let bytes else { return .missing }
    let actual = SHA256.hash(data: bytes).lowercaseHex
    return actual == expectedSHA256 ? .intact : .corrupt(actualSHA256: actual)
  }

  package struct Entry: Sendable {
    package var key: String
    package var decisionSetID: UUID?
    package var version: Int?
    package var finding: Finding
  }

  /// Every artifact the `artifacts` table records as stored, read back from `store`.
  package static func verifyAll(store: any ArtifactStore, client: PostgresClient, logger: Logger) async throws -> [Entry] {
    let rows = try await client.guardedQuery(
      "SELECT key, sha256, decision_set_id, version FROM artifacts WHERE status = 'stored' ORDER BY id", logger: logger)
    var recorded: [(String, String, UUID?, Int?)] = []
    for try await row in rows.decode((String, String, UUID?, Int?).self) { recorded.append(row) }
    var entries: [Entry] = []
    for (path, sha256, decisionSetID, version) in recorded {
      let bytes = try await store.get(try ArtifactKey(path))
      entries.append(
        Entry(key: path, decisionSetID: decisionSetID, version: version, finding: check(bytes, expectedSHA256: sha256)))
    }
    return entries
  }
}

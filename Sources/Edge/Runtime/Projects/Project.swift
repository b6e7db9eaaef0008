import Foundation
import ServiceKit

/// A project: the tenant every decision set, artifact and repository belongs to.
package struct Project: Sendable, Equatable, Encodable {
  package var id: UUID
  package var name: String
  package var description: String
  /// Publish a bundle some validator could not run on (it says `"complete": false`).
  package var allowIncompleteBundles: Bool
  /// Whoever submitted a version may not approve it.
  package var fourEyes: Bool
  package var lockVersion: Int
  package var createdAt: Date
  package var updatedAt: Date

  enum CodingKeys: String, CodingKey {
    case id, name, description
    case allowIncompleteBundles = "allow_incomplete_bundles"
    case fourEyes = "four_eyes"
    case lockVersion = "lock_version"
    case createdAt = "created_at"
    case updatedAt = "updated_at"
  }

  /// Foundation writes UUIDs in upper case; the API speaks lower case.
  package func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id.lowercaseString, forKey: .id)
    try container.encode(name, forKey: .name)
    try container.encode(description, forKey: .description)
    try container.encode(allowIncompleteBundles, forKey: .allowIncompleteBundles)
    try container.encode(fourEyes, forKey: .fourEyes)
    try container.encode(lockVersion, forKey: .lockVersion)
    try container.encode(createdAt, forKey: .createdAt)
    try container.encode(updatedAt, forKey: .updatedAt)
  }
}

/// What an update or delete guarded by `If-Match` came to.
package enum GuardedWriteResult<Value: Sendable>: Sendable {
  case done(Value)
  case notFound
  case versionMismatch(current: Int)
}

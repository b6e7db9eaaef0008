import Foundation

/// Whoever a verified token says is calling: the user's subject and display name, the
/// groups or roles the issuer gave them, and when the token stops being good.
package struct Caller: Sendable, Equatable {
  package var issuer: String
  package var subject: String
  package var name: String
  package var groups: [String]
  package var expiresAt: Date
  /// Roles the token itself grants in projects (`mlops token --project P --role R`): only the
  /// local issuer's tokens carry them, since whoever holds its key administers the platform.
  package var projectRoles: [UUID: Role]

  package init(
    issuer: String, subject: String, name: String = "", groups: [String] = [], expiresAt: Date,
    projectRoles: [UUID: Role] = [:]
  ) {
    self.issuer = issuer
    self.subject = subject
    self.name = name
    self.groups = groups
    self.expiresAt = expiresAt
    self.projectRoles = projectRoles
  }

  /// A name for records and cards: the display name with the subject, or the subject alone.
  package var displayName: String { name.isEmpty || name == subject ? subject : "\(name) (\(subject))" }
}

/// Why a token was not taken; the API answers 401 with it.
package struct Unauthenticated: Error, Equatable, CustomStringConvertible {
  package var reason: String

  package init(_ reason: String) { self.reason = reason }

  package var description: String { reason }
}

/// A member's role in a project. Each role can do what the ones below it can: a viewer
/// reads; an editor also submits, answers and revises; a reviewer also approves or rejects;
/// an admin also changes members and settings, reads the audit trail and deletes.
package enum Role: String, Sendable, CaseIterable, Comparable, Codable {
  case viewer, editor, reviewer, admin

  var rank: Int { Role.allCases.firstIndex(of: self) ?? 0 }

  package static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// Who a membership names: a user by the token's subject, or every caller whose token
/// carries the group.
package enum PrincipalKind: String, Sendable, CaseIterable, Codable {
  case user, group
}

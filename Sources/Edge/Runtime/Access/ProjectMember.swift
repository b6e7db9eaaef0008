import Foundation

/// One row of `project_members`: a user or group and its role in the project.
package struct ProjectMember: Sendable, Equatable, Encodable {
  package var id: UUID
  package var projectID: UUID
  package var kind: PrincipalKind
  package var principal: String
  package var role: Role
  package var addedBy: String
  package var createdAt: Date

  enum CodingKeys: String, CodingKey {
    case id, kind, principal, role
    case projectID = "project_id"
    case addedBy = "added_by"
    case createdAt = "created_at"
  }

  package func encode(to encoder: any Encoder) throws {
    var container = encoder.container(keyedBy: CodingKeys.self)
    try container.encode(id.lowercaseString, forKey: .id)
    try container.encode(projectID.lowercaseString, forKey: .projectID)
    try container.encode(kind, forKey: .kind)
    try container.encode(principal, forKey: .principal)
    try container.encode(role, forKey: .role)
    try container.encode(addedBy, forKey: .addedBy)
    try container.encode(createdAt, forKey: .createdAt)
  }
}

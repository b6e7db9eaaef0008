import Foundation
import ServiceKit

/// Finds a project by id or name, creating a named one that does not exist yet.
package struct ProjectLookup {
  package let client: APIClient

  package init(client: APIClient) {
    self.client = client
  }

  package func resolve(_ reference: String) async throws -> String {
    if let id = UUID(uuidString: reference) {
      return (try await client.send(.GET, "/v1/projects/\(id.lowercaseString)").fields["id"] as? String) ?? reference
    }
    var cursor: String?
    repeat {
      let query = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
      let page = try await client.send(.GET, "/v1/projects?limit=100\(query)").fields
      for item in page["items"] as? [[String: Any]] ?? [] where item["name"] as? String == reference {
        if let id = item["id"] as? String { return id }
      }
      cursor = page["next_cursor"] as? String
    } while cursor != nil
    let created = try await client.send(.POST, "/v1/projects", json: ["name": reference])
    guard let id = created.fields["id"] as? String else {
      throw APIClient.Failure(status: created.status, code: "bad_reply", description: "the server returned no project id")
    }
    return id
  }
}

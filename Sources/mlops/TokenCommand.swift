import ArgumentParser
import Assembly
import EdgeRuntime
import Foundation
import ServiceKit

/// `mlops token`: a bearer token from the local issuer, for the embedded default and for
/// scripts against it. With MLOPS_OIDC_ISSUER set, tokens come from that issuer instead.
struct TokenCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "token",
    abstract: "Mint a bearer token from the local issuer (the key in MLOPS_DATA_DIR/identity).",
    discussion: "Prints the token alone on standard output, e.g. curl -H \"Authorization: Bearer $(mlops token)\" ...")

  @Option(help: "The user the token names (its sub claim).")
  var user = "local-user"

  @Option(help: "The user's display name (its name claim).")
  var name = ""

  @Option(name: .customLong("group"), help: "A group or role for the token's groups claim; repeat for more.")
  var groups: [String] = []

  @Option(help: "How long the token is good for, in seconds (at most 30 days).")
  var ttl = 3600

  @Option(help: "A project id the token grants --role in, whether or not the user is a member.")
  var project: String?

  @Option(help: "The role the token grants in --project: viewer, editor, reviewer or admin (default viewer).")
  var role: String?

  func validate() throws {
    if role != nil, project == nil { throw ValidationError("--role needs --project: the role is granted in a project") }
    if let project, UUID(uuidString: project) == nil { throw ValidationError("--project must be a project id (a UUID)") }
    if let role, Role(rawValue: role) == nil {
      throw ValidationError("--role must be one of \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    guard (1...2_592_000).contains(ttl) else { throw ValidationError("--ttl must be 1 to 2592000 seconds") }
    guard !user.isEmpty, user.count <= 256, !user.contains(where: \.isNewline) else {
      throw ValidationError("--user must be 1 to 256 characters on one line")
    }
  }

  func run() async throws {
    let environment = try ProcessEnvironment.load(label: "token")
    guard environment.edge.identity.issuer == nil else {
      throw ValidationError("MLOPS_OIDC_ISSUER is set: get a token from that issuer, not from mlops token")
    }
    let issuer = try LocalIssuer.load(dataDirectory: environment.configuration.dataDirectory)
    var grants: [UUID: Role] = [:]
    if let project = project.flatMap(UUID.init(uuidString:)) { grants[project] = role.flatMap(Role.init(rawValue:)) ?? .viewer }
    let token = try await issuer.mint(
      subject: user, name: name, groups: groups, projectRoles: grants, audience: environment.edge.identity.audience,
      ttl: .seconds(ttl))
    print(token)
  }
}

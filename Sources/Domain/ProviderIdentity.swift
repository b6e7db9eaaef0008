/// Which provider answered a call: recorded in every Reason Card that used one.
public struct ProviderIdentity: Sendable, Hashable, Codable {
  public var name: String
  public var model: String

  public init(name: String, model: String) {
    self.name = name
    self.model = model
  }

  /// The built-in provider: rules and catalogs, no network, same input → same output.
  public static let deterministic = ProviderIdentity(name: "deterministic", model: "rules-v1")
}

import Contracts
import Crypto
import Foundation
import ServiceKit

/// The capability catalog: for each capability, the AWS options the planner weighs, with
/// the attributes it scores and the BOM line templates the cost critic prices. A versioned
/// data file; its SHA-256 goes into every plan.
public struct CapabilityCatalog: Sendable, Decodable {
  public struct Option: Sendable, Decodable {
    public struct Range: Sendable, Decodable {
      public var min: Double
      /// 0 means no stated ceiling.
      public var max: Double
    }

    public struct BOMLine: Sendable, Decodable {
      public var item: String
      public var unit: String
      /// The usage figure the quantity follows (serve_instance_hours, data_gb, ...).
      public var driver: String
      public var per: Double

      public init(item: String, unit: String, driver: String, per: Double = 1) {
        self.item = item
        self.unit = unit
        self.driver = driver
        self.per = per
      }
    }

    public var id: String
    public var displayName: String
    public var services: [String]
    public var modes: [String]
    public var p95Ms: Double
    public var throughputRps: Range
    public var availabilityPct: Double
    public var multiAz: Bool
    public var regions: [String]
    public var dataClasses: [String]
    /// "none", "optional" or "required".
    public var gpu: String
    public var opsComplexity: Int
    public var costTier: Int
    /// Requests per second one instance takes, for options that scale out by instances;
    /// `throughputRps.max` is then the most instances the option runs, times this.
    public var requestsPerInstance: Double?
    public var skills: [String]
    public var stackTags: [String]
    public var bom: [BOMLine]
    public var notes: String

    public func runs(in region: String) -> Bool { regions.contains("*") || regions.contains(region) }
  }

  public struct CapabilityEntry: Sendable, Decodable {
    public var capability: String
    public var purpose: String
    /// Problem type (lower-case name) → why the capability is not needed for it.
    public var notNeededFor: [String: String]
    public var options: [Option]
  }

  public var version: String
  public var description: String
  public var regionPreference: [String]
  public var capabilities: [CapabilityEntry]
  /// SHA-256 of the file as shipped.
  public private(set) var sha256 = ""

  enum CodingKeys: String, CodingKey {
    case version, description, regionPreference, capabilities
  }

  public static func load(from data: Data) throws -> CapabilityCatalog {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    var catalog = try decoder.decode(CapabilityCatalog.self, from: data)
    catalog.sha256 = SHA256.hash(data: data).lowercaseHex
    return catalog
  }

  /// The catalog shipped with the kernel.
  public static let bundled: CapabilityCatalog = {
    guard let url = Bundle.module.url(forResource: "capability-catalog", withExtension: "json"),
      let data = try? Data(contentsOf: url), let catalog = try? load(from: data)
    else { preconditionFailure("the capability-catalog.json resource is missing or malformed") }
    return catalog
  }()

  public func option(_ id: String) -> Option? {
    capabilities.lazy.flatMap(\.options).first { $0.id == id }
  }
}

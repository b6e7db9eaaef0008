import Foundation

/// Dated list prices: one entry per BOM item, with its unit, USD price, region and source
/// page, and factors for other regions' premium over us-east-1.
public struct PriceCatalog: Sendable, Decodable {
  public struct Price: Sendable, Decodable {
    public var item: String
    public var unit: String
    public var usd: Double
    public var region: String
    public var source: String
  }

  public var version: String
  public var description: String
  public var readOn: String
  public var regionFactors: [String: Double]
  public var prices: [Price]

  public static func load(from data: Data) throws -> PriceCatalog {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(PriceCatalog.self, from: data)
  }

  public static let bundled: PriceCatalog = {
    guard let url = Bundle.module.url(forResource: "price-catalog", withExtension: "json"),
      let data = try? Data(contentsOf: url), let catalog = try? load(from: data)
    else { preconditionFailure("the Critics' price-catalog.json resource is missing or malformed") }
    return catalog
  }()

  public func price(_ item: String) -> Price? { prices.first { $0.item == item } }

  /// 1 for a region without a listed factor, so an unknown region is priced as us-east-1
  /// and the line says so.
  public func factor(for region: String) -> Double? { regionFactors[region] }
}

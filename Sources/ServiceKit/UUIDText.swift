import Foundation

extension UUID {
  /// The id as the API, the database's text columns, keys and paths spell it: lower case.
  public var lowercaseString: String { uuidString.lowercased() }
}

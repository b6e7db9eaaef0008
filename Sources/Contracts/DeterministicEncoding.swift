import SwiftProtobuf

extension SwiftProtobuf.Message {
  /// The binary encoding with map entries in key order: the same message gives the same
  /// bytes, which is what hashes, checkpoints and stored comparisons need.
  public func deterministicBytes() throws -> [UInt8] {
    var options = BinaryEncodingOptions()
    options.useDeterministicOrdering = true
    return try serializedBytes(options: options)
  }
}

import Foundation
import SwiftProtobuf

/// Protobuf messages as the API's JSON: proto field names (snake_case), defaults omitted.
enum ProtoJSON {
  static let encoding: JSONEncodingOptions = {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return options
  }()

  static let decoding: JSONDecodingOptions = {
    var options = JSONDecodingOptions()
    options.ignoreUnknownFields = false
    return options
  }()

  /// The message as a JSON object tree, to embed in a larger document.
  static func object(_ message: some SwiftProtobuf.Message) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(message.jsonString(options: encoding).utf8))
  }
}

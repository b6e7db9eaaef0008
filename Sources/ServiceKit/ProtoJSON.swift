import Foundation
import SwiftProtobuf

/// Protobuf messages as JSON, one set of options for the whole platform.
public enum ProtoJSON {
  /// Proto field names (snake_case), defaults omitted: the API's JSON and event payloads.
  public static let encoding: JSONEncodingOptions = {
    var options = JSONEncodingOptions()
    options.preserveProtoFieldNames = true
    return options
  }()

  /// As `encoding`, with 64-bit integers as numbers: files people read and diff.
  public static let documentEncoding: JSONEncodingOptions = {
    var options = encoding
    options.alwaysPrintInt64sAsNumbers = true
    return options
  }()

  /// Unknown fields refused: what comes into the platform.
  public static let decoding: JSONDecodingOptions = {
    var options = JSONDecodingOptions()
    options.ignoreUnknownFields = false
    return options
  }()

  /// Unknown fields ignored: a client reading replies from a newer server.
  public static let lenientDecoding: JSONDecodingOptions = {
    var options = JSONDecodingOptions()
    options.ignoreUnknownFields = true
    return options
  }()

  public static func string(_ message: some SwiftProtobuf.Message) throws -> String {
    try message.jsonString(options: encoding)
  }

  /// The message as a JSON object tree, to embed in a larger document.
  public static func object(_ message: some SwiftProtobuf.Message, options: JSONEncodingOptions = encoding) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(message.jsonString(options: options).utf8))
  }
}

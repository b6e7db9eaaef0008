import Foundation

/// A `host:port` pair, as written in `MLOPS_<SERVICE>_ADDR` and `DATABASE_URL`.
public struct ServiceAddress: Hashable, Sendable, CustomStringConvertible {
  public var host: String
  public var port: Int

  public init(host: String, port: Int) {
    self.host = host
    self.port = port
  }

  /// Parses `host:port`, `[v6]:port` or `:port` (host defaults to 127.0.0.1).
  public init?(parsing text: String) {
    let text = text.trimmingCharacters(in: .whitespaces)
    let host: Substring
    let portText: Substring
    if text.hasPrefix("[") {
      guard let close = text.firstIndex(of: "]") else { return nil }
      host = text[text.index(after: text.startIndex)..<close]
      let rest = text[text.index(after: close)...]
      guard rest.hasPrefix(":") else { return nil }
      portText = rest.dropFirst()
    } else {
      guard let colon = text.lastIndex(of: ":") else { return nil }
      host = text[..<colon]
      portText = text[text.index(after: colon)...]
    }
    guard let port = Int(portText), (0...65535).contains(port) else { return nil }
    self.host = host.isEmpty ? "127.0.0.1" : String(host)
    self.port = port
  }

  public var description: String {
    host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
  }

  /// True when `host` is an IPv4 literal such as `127.0.0.1`.
  public var isIPv4Literal: Bool {
    let parts = host.split(separator: ".", omittingEmptySubsequences: false)
    return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
  }
}

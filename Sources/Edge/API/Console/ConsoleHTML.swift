import Mustache

/// The console's HTML escaping (its templates declare `{{% CONTENT_TYPE: CONSOLE_HTML}}`):
/// the same five characters as Mustache's own HTML type (`&`, `<`, `>`, `"`, `'`), found by
/// scanning UTF-8 bytes, so text without any of them (most of a page) is returned as it is.
struct ConsoleHTML: MustacheContentType {
  static let name = "CONSOLE_HTML"
  static let registered: Void = { MustacheContentTypes.register(ConsoleHTML(), named: name) }()

  func escapeText(_ text: String) -> String {
    let utf8 = text.utf8
    guard utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else {
      return text
    }
    var escaped: [UInt8] = []
    escaped.reserveCapacity(utf8.count + 16)
    for byte in utf8 {
      switch byte {
      case 0x26: escaped.append(contentsOf: "&amp;".utf8)
      case 0x3C: escaped.append(contentsOf: "&lt;".utf8)
      case 0x3E: escaped.append(contentsOf: "&gt;".utf8)
      case 0x22: escaped.append(contentsOf: "&quot;".utf8)
      case 0x27: escaped.append(contentsOf: "&#39;".utf8)
      default: escaped.append(byte)
      }
    }
    return String(decoding: escaped, as: UTF8.self)
  }
}

import Foundation

/// An opaque pagination cursor: the position after the last item of a page. Clients pass it
/// back unchanged; its content is not part of the API.
package struct PageCursor: Sendable, Equatable {
  package var position: Int64

  package init(position: Int64) {
    self.position = position
  }

  package init?(token: String) {
    var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
    guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8),
      text.hasPrefix("p1:"), let position = Int64(text.dropFirst(3)), position >= 0
    else { return nil }
    self.position = position
  }

  package var token: String {
    Data("p1:\(position)".utf8).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
      .replacingOccurrences(of: "=", with: "")
  }
}

import GRPCCore
import ServiceContextModule

extension WorkContext {
  private static let keys = (
    requestID: "mlops-request-id", decisionSet: "mlops-decision-set", version: "mlops-version", node: "mlops-node"
  )

  /// The ids a caller sent; a value that is not a plain token of at most 128 characters is
  /// dropped (it would land in every log line of the call).
  init(metadata: Metadata) {
    func token(_ key: String) -> String? {
      metadata.firstString(key).flatMap { Self.isPlainToken($0) ? $0 : nil }
    }
    self.init(
      requestID: token(Self.keys.requestID), decisionSetID: token(Self.keys.decisionSet),
      version: token(Self.keys.version).flatMap { Int($0) }, node: token(Self.keys.node))
  }

  func write(into metadata: inout Metadata) {
    if let requestID { metadata.replaceOrAddString(requestID, forKey: Self.keys.requestID) }
    if let decisionSetID { metadata.replaceOrAddString(decisionSetID, forKey: Self.keys.decisionSet) }
    if let version { metadata.replaceOrAddString(String(version), forKey: Self.keys.version) }
    if let node { metadata.replaceOrAddString(node, forKey: Self.keys.node) }
  }

  /// 1 to 128 of `[A-Za-z0-9._-]`: safe in a header, a log line and a span attribute.
  public static func isPlainToken(_ text: String) -> Bool {
    (1...128).contains(text.utf8.count)
      && text.utf8.allSatisfy { byte in
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
          || byte == 0x2D || byte == 0x5F || byte == 0x2E
      }
  }
}

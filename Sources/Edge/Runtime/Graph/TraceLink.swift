/// Where a Reason Card's `trace` link points: the trace viewer `MLOPS_TRACE_URL` names (its
/// `{trace_id}` replaced), or else the bare W3C trace id as `urn:otel:trace:<id>`.
package struct TraceLink: Sendable, Equatable {
  package static let placeholder = "{trace_id}"
  let template: String?

  package init(template: String?) {
    self.template = template
  }

  package func href(_ traceID: String) -> String {
    guard let template else { return "urn:otel:trace:\(traceID)" }
    return template.replacingOccurrences(of: Self.placeholder, with: traceID)
  }

  /// A template is an http(s) URL with `{trace_id}` in it.
  package static func isValidTemplate(_ text: String) -> Bool {
    (text.hasPrefix("https://") || text.hasPrefix("http://")) && text.contains(placeholder) && text.utf8.count <= 512
      && !text.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" })
  }
}

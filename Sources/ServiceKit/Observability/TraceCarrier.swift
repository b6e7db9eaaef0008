import ServiceContextModule
import Tracing

/// A trace context kept as text (the W3C `traceparent`) where a trace crosses something that
/// is not a call: a job row written by a request and claimed later by a worker.
public enum TraceCarrier {
  /// The current span's `traceparent`; nil when no trace is being recorded.
  public static func current() -> String? {
    guard let context = ServiceContext.current else { return nil }
    var carrier: [String: String] = [:]
    InstrumentationSystem.instrument.inject(context, into: &carrier, using: DictionaryCarrier())
    return carrier["traceparent"]
  }

  /// A context whose spans continue the trace `traceparent` names (top level when nil or bad).
  public static func context(traceparent: String?) -> ServiceContext {
    var context = ServiceContext.topLevel
    guard let traceparent, traceparent.utf8.count <= 128 else { return context }
    InstrumentationSystem.instrument.extract(["traceparent": traceparent], into: &context, using: DictionaryCarrier())
    return context
  }
}

private struct DictionaryCarrier: Injector, Extractor {
  func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
  func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

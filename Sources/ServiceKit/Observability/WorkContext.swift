import Logging
import OTel
import ServiceContextModule

/// What the work in hand is about: the request, decision set, version and node. It rides in
/// the task-local `ServiceContext` beside the trace, so every log line written under it
/// carries these ids (see `Logger.MetadataProvider.work`) and a gRPC call passes them on
/// (see `GRPCTelemetry`) without any call site naming them.
public struct WorkContext: Sendable, Equatable {
  public var requestID: String?
  public var decisionSetID: String?
  public var version: Int?
  public var node: String?

  public init(requestID: String? = nil, decisionSetID: String? = nil, version: Int? = nil, node: String? = nil) {
    self.requestID = requestID
    self.decisionSetID = decisionSetID
    self.version = version
    self.node = node
  }

  /// The work of the current task, empty outside any.
  public static var current: WorkContext { ServiceContext.current?.work ?? WorkContext() }

  /// Runs `body` with these fields set over the current ones (a nil field keeps the current value).
  public static func with<T>(
    _ fields: WorkContext, _ body: () async throws -> T
  ) async rethrows -> T {
    var context = ServiceContext.current ?? .topLevel
    context.work = context.work.merging(fields)
    return try await ServiceContext.withValue(context, operation: body)
  }

  func merging(_ other: WorkContext) -> WorkContext {
    WorkContext(
      requestID: other.requestID ?? requestID, decisionSetID: other.decisionSetID ?? decisionSetID,
      version: other.version ?? version, node: other.node ?? node)
  }

  var metadata: Logger.Metadata {
    var metadata: Logger.Metadata = [:]
    if let requestID { metadata["request_id"] = .string(requestID) }
    if let decisionSetID { metadata["decision_set_id"] = .string(decisionSetID) }
    if let version { metadata["version"] = .stringConvertible(version) }
    if let node { metadata["node"] = .string(node) }
    return metadata
  }
}

private enum WorkContextKey: ServiceContextKey {
  typealias Value = WorkContext
}

extension ServiceContext {
  /// The work ids this context carries.
  public var work: WorkContext {
    get { self[WorkContextKey.self] ?? WorkContext() }
    set { self[WorkContextKey.self] = newValue }
  }
}

/// The W3C ids of the current span, when a trace is being recorded.
public enum TraceIdentity {
  public static var traceID: String? { ServiceContext.current?.otelTraceID }
}

extension Logger.MetadataProvider {
  /// The ids of the work in hand (`WorkContext`) and of its span (`trace_id`, `span_id`).
  public static let work = Logger.MetadataProvider.multiplex([
    OTel.makeLoggingMetadataProvider(),
    Logger.MetadataProvider { WorkContext.current.metadata },
  ])!
}

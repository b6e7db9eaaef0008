import GRPCCore
import Metrics
import Synchronization
import Tracing

/// The gRPC client side of a call's telemetry: a client span, the W3C trace context and the
/// work ids (`WorkContext`) written into the request metadata, and the call counted and timed
/// by method and status code once its response has been read.
public struct ClientTelemetryInterceptor: ClientInterceptor {
  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingClientRequest<Input>,
    context: ClientContext,
    next: (StreamingClientRequest<Input>, ClientContext) async throws -> StreamingClientResponse<Output>
  ) async throws -> StreamingClientResponse<Output> {
    let call = CallRecord(side: .client, method: context.descriptor, parent: ServiceContext.current ?? .topLevel)
    var request = request
    InstrumentationSystem.instrument.inject(call.span.context, into: &request.metadata, using: MetadataCarrier())
    WorkContext.current.write(into: &request.metadata)
    do {
      var response = try await ServiceContext.withValue(call.span.context) { try await next(request, context) }
      switch response.accepted {
      case .success(var contents):
        contents.bodyParts = RPCAsyncSequence(
          wrapping: EndingSequence(base: contents.bodyParts) { error in
            call.finish(error: error)
          })
        response.accepted = .success(contents)
      case .failure(let error):
        call.finish(error: error)
      }
      return response
    } catch {
      call.finish(error: error)
      throw error
    }
  }
}

/// The gRPC server side: continues the caller's trace (W3C `traceparent` in the metadata) in
/// a server span, takes the caller's work ids for its log lines, and counts and times the call.
public struct ServerTelemetryInterceptor: ServerInterceptor {
  public init() {}

  public func intercept<Input: Sendable, Output: Sendable>(
    request: StreamingServerRequest<Input>,
    context: ServerContext,
    next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
  ) async throws -> StreamingServerResponse<Output> {
    var parent = ServiceContext.topLevel
    InstrumentationSystem.instrument.extract(request.metadata, into: &parent, using: MetadataCarrier())
    let call = CallRecord(side: .server, method: context.descriptor, parent: parent)
    var serviceContext = call.span.context
    serviceContext.work = WorkContext(metadata: request.metadata)
    let serving = serviceContext
    do {
      var response = try await ServiceContext.withValue(serving) { try await next(request, context) }
      switch response.accepted {
      case .success(var contents):
        let produce = contents.producer
        contents.producer = { writer in
          do {
            let trailers = try await ServiceContext.withValue(serving) { try await produce(writer) }
            call.finish(error: nil)
            return trailers
          } catch {
            call.finish(error: error)
            throw error
          }
        }
        response.accepted = .success(contents)
      case .failure(let error):
        call.finish(error: error)
      }
      return response
    } catch {
      call.finish(error: error)
      throw error
    }
  }
}

/// One call, on either side: its span (started with the call), and its end, recorded once:
/// the span's status and end, the counter and the timer.
private final class CallRecord: Sendable {
  enum Side: String { case client, server }

  let side: Side
  let method: MethodDescriptor
  let span: any Span
  let started = ContinuousClock.now
  private let finished = Atomic(false)

  init(side: Side, method: MethodDescriptor, parent: ServiceContext) {
    self.side = side
    self.method = method
    span = startSpan(method.fullyQualifiedMethod, context: parent, ofKind: side == .client ? .client : .server)
    span.attributes["rpc.system"] = "grpc"
    span.attributes["rpc.service"] = method.service.fullyQualifiedService
    span.attributes["rpc.method"] = method.method
  }

  func finish(error: (any Error)?) {
    guard !finished.exchange(true, ordering: .relaxed) else { return }
    let code = Self.code(of: error)
    span.attributes["rpc.grpc.status_code"] = code.rawValue
    if let error {
      span.recordError(error)
      span.setStatus(SpanStatus(code: .error, message: "\(code)"))
    }
    span.end()
    let metrics = CallMetrics.of(side: side, method: method, code: code)
    metrics.calls.increment()
    metrics.duration.record(ContinuousClock.now - started)
  }

  static func code(of error: (any Error)?) -> Status.Code {
    guard let error else { return .ok }
    if let rpc = error as? RPCError { return Status.Code(rpc.code) }
    if let convertible = error as? any RPCErrorConvertible { return Status.Code(convertible.rpcErrorCode) }
    if error is CancellationError { return .cancelled }
    return .unknown
  }
}

/// A method's counter and timer on one side, made once per method and code rather than per
/// call (each making looks the series up in the registry under its lock).
private enum CallMetrics {
  struct Key: Hashable {
    var side: String
    var method: MethodDescriptor
    var code: Status.Code
  }

  static func of(side: CallRecord.Side, method: MethodDescriptor, code: Status.Code) -> (calls: Counter, duration: Timer) {
    let key = Key(side: side.rawValue, method: method, code: code)
    if let made = made.withLock({ $0[key] }) { return made }
    let service = ("grpc_service", method.service.fullyQualifiedService)
    let name = ("grpc_method", method.method)
    let metrics = (
      calls: Counter(label: "grpc_\(side.rawValue)_handled_total", dimensions: [service, name, ("grpc_code", "\(code)")]),
      duration: Timer(label: "grpc_\(side.rawValue)_handling_seconds", dimensions: [service, name])
    )
    made.withLock { $0[key] = metrics }
    return metrics
  }

  private static let made = Mutex<[Key: (calls: Counter, duration: Timer)]>([:])
}

/// Calls `onEnd` once when the wrapped sequence ends, with the error it ended on, if any.
private struct EndingSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
  typealias Element = Base.Element
  let base: Base
  let onEnd: @Sendable ((any Error)?) -> Void

  struct AsyncIterator: AsyncIteratorProtocol {
    var base: Base.AsyncIterator
    let onEnd: @Sendable ((any Error)?) -> Void

    mutating func next() async throws -> Element? {
      do {
        let element = try await base.next()
        if element == nil { onEnd(nil) }
        return element
      } catch {
        onEnd(error)
        throw error
      }
    }
  }

  func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator(), onEnd: onEnd) }
}

/// gRPC metadata as the carrier of W3C trace context (`traceparent`, `tracestate`).
struct MetadataCarrier: Injector, Extractor {
  func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
    carrier.replaceOrAddString(value, forKey: key)
  }

  func extract(key: String, from carrier: Metadata) -> String? { carrier.firstString(key) }
}

extension Metadata {
  /// The first string value under `key`, if any.
  func firstString(_ key: String) -> String? {
    var values = self[stringValues: key].makeIterator()
    return values.next()
  }
}

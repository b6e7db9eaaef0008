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
    let method = context.descriptor
    let call = CallRecord(side: .client, method: method)
    let span = startSpan(method.fullyQualifiedMethod, ofKind: .client)
    span.attributes["rpc.system"] = "grpc"
    span.attributes["rpc.service"] = method.service.fullyQualifiedService
    span.attributes["rpc.method"] = method.method
    var request = request
    InstrumentationSystem.instrument.inject(span.context, into: &request.metadata, using: MetadataCarrier())
    WorkContext.current.write(into: &request.metadata)
    do {
      var response = try await ServiceContext.withValue(span.context) { try await next(request, context) }
      switch response.accepted {
      case .success(var contents):
        contents.bodyParts = RPCAsyncSequence(
          wrapping: EndingSequence(base: contents.bodyParts) { error in
            call.finish(span: span, error: error)
          })
        response.accepted = .success(contents)
      case .failure(let error):
        call.finish(span: span, error: error)
      }
      return response
    } catch {
      call.finish(span: span, error: error)
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
    let method = context.descriptor
    let call = CallRecord(side: .server, method: method)
    var parent = ServiceContext.topLevel
    InstrumentationSystem.instrument.extract(request.metadata, into: &parent, using: MetadataCarrier())
    let span = startSpan(method.fullyQualifiedMethod, context: parent, ofKind: .server)
    span.attributes["rpc.system"] = "grpc"
    span.attributes["rpc.service"] = method.service.fullyQualifiedService
    span.attributes["rpc.method"] = method.method
    var serviceContext = span.context
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
            call.finish(span: span, error: nil)
            return trailers
          } catch {
            call.finish(span: span, error: error)
            throw error
          }
        }
        response.accepted = .success(contents)
      case .failure(let error):
        call.finish(span: span, error: error)
      }
      return response
    } catch {
      call.finish(span: span, error: error)
      throw error
    }
  }
}

/// One call's end, recorded once: the span's status and end, the counter and the timer.
private final class CallRecord: Sendable {
  enum Side: String { case client, server }

  let side: Side
  let method: MethodDescriptor
  let started = ContinuousClock.now
  private let finished = Atomic(false)

  init(side: Side, method: MethodDescriptor) {
    self.side = side
    self.method = method
  }

  func finish(span: any Span, error: (any Error)?) {
    guard !finished.exchange(true, ordering: .relaxed) else { return }
    let code = Self.code(of: error)
    span.attributes["rpc.grpc.status_code"] = code.rawValue
    if let error {
      span.recordError(error)
      span.setStatus(SpanStatus(code: .error, message: "\(code)"))
    }
    span.end()
    let dimensions = [
      ("grpc_service", method.service.fullyQualifiedService), ("grpc_method", method.method), ("grpc_code", "\(code)"),
    ]
    Counter(label: "grpc_\(side.rawValue)_handled_total", dimensions: dimensions).increment()
    Timer(label: "grpc_\(side.rawValue)_handling_seconds", dimensions: Array(dimensions.prefix(2)))
      .record(ContinuousClock.now - started)
  }

  static func code(of error: (any Error)?) -> Status.Code {
    guard let error else { return .ok }
    if let rpc = error as? RPCError { return Status.Code(rpc.code) }
    if let convertible = error as? any RPCErrorConvertible { return Status.Code(convertible.rpcErrorCode) }
    if error is CancellationError { return .cancelled }
    return .unknown
  }
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

  func extract(key: String, from carrier: Metadata) -> String? {
    carrier[stringValues: key].first(where: { _ in true })
  }
}

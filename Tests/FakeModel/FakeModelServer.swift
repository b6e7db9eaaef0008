import Foundation
import Hummingbird
import NIOCore
import Synchronization

/// A local stand-in for an OpenAI-compatible (and an Anthropic) model server: it answers
/// each request with the next scripted reply and records what it was sent.
public final class FakeModelServer: Sendable {
  public struct Reply: Sendable {
    public var status: HTTPResponse.Status
    /// For 200: the model's text; otherwise the error body.
    public var text: String

    public init(status: HTTPResponse.Status, text: String) {
      self.status = status
      self.text = text
    }
  }

  public init() {}

  private let script = Mutex<[Reply]>([])
  private let received = Mutex<[Data]>([])
  private let boundPort = Mutex<Int?>(nil)

  /// The JSON bodies received, in order.
  public var requests: [[String: Any]] {
    received.withLock { $0 }.map { (try? JSONSerialization.jsonObject(with: $0) as? [String: Any]) ?? [:] }
  }
  public var port: Int { boundPort.withLock { $0 } ?? 0 }

  public func enqueue(_ replies: [Reply]) { script.withLock { $0.append(contentsOf: replies) } }

  private func next(_ body: Data) -> Reply {
    received.withLock { $0.append(body) }
    return script.withLock { $0.isEmpty ? Reply(status: .internalServerError, text: "script ran out") : $0.removeFirst() }
  }

  /// Runs the server for the duration of `body`.
  public func run<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
    let router = Router()
    router.post("v1/chat/completions") { request, context -> Response in
      let reply = self.next(try await Self.json(request))
      guard reply.status == .ok else { return Self.response(reply.status, ["error": ["message": reply.text]]) }
      return Self.response(
        .ok,
        [
          "choices": [["message": ["role": "assistant", "content": reply.text]]],
          "usage": ["prompt_tokens": 120, "completion_tokens": 80],
        ])
    }
    router.post("v1/messages") { request, context -> Response in
      let reply = self.next(try await Self.json(request))
      guard reply.status == .ok else { return Self.response(reply.status, ["error": ["message": reply.text]]) }
      return Self.response(
        .ok, ["content": [["type": "text", "text": reply.text]], "usage": ["input_tokens": 90, "output_tokens": 60]])
    }
    let started = AsyncStream<Int>.makeStream()
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
      onServerRunning: { channel in
        let port = channel.localAddress?.port ?? 0
        self.boundPort.withLock { $0 = port }
        started.continuation.yield(port)
      })
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        try await app.run()
        return nil
      }
      var ports = started.stream.makeAsyncIterator()
      guard let port = await ports.next() else { throw CancellationError() }
      let result = try await body("http://127.0.0.1:\(port)")
      group.cancelAll()
      return result
    }
  }

  private static func json(_ request: Request) async throws -> Data {
    var request = request
    return Data(try await request.collectBody(upTo: 1 << 20).readableBytesView)
  }

  private static func response(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
    let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    return Response(
      status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}

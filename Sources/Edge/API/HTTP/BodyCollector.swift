import HTTPTypes
import Hummingbird
import NIOCore

/// Collects a response body written in one piece (the API's JSON answers).
final class BodyCollector: ResponseBodyWriter {
  var buffer = ByteBuffer()

  func write(_ buffer: ByteBuffer) async throws {
    self.buffer.writeImmutableBuffer(buffer)
  }

  func write(contentsOf buffers: some Sequence<ByteBuffer>) async throws {
    for buffer in buffers { self.buffer.writeImmutableBuffer(buffer) }
  }

  func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

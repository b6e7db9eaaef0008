import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServiceKit

/// The Edge REST and SSE API from the command line: JSON in, JSON out, problem+json turned
/// into a readable error and a non-zero exit.
package struct APIClient: Sendable {
  package let server: URL
  package let http: HTTPClient
  /// The bearer token sent on every API call (not on download links, whose signature is
  /// their authorisation).
  package let token: String?

  package init(server: URL, http: HTTPClient, token: String?) {
    self.server = server
    self.http = http
    self.token = token
  }

  /// A failed call; `status` is 0 when the server could not be reached at all.
  package struct Failure: Error, CustomStringConvertible {
    package var status: Int
    package var code: String
    package var description: String

    package init(status: Int, code: String, description: String) {
      self.status = status
      self.code = code
      self.description = description
    }
  }

  package struct Reply: @unchecked Sendable {
    package var status: Int
    /// The decoded JSON body (an empty object for an empty body).
    package var object: Any
    package var etag: String?

    package var fields: [String: Any] { object as? [String: Any] ?? [:] }
  }

  package func send(
    _ method: HTTPMethod, _ path: String, json body: Any? = nil, headers: [String: String] = [:]
  ) async throws -> Reply {
    var request = HTTPClientRequest(url: try url(path))
    request.method = method
    authorize(&request)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    // Every POST carries a key of its own, so the retry below cannot do its work twice.
    if method == .POST, !request.headers.contains(name: "Idempotency-Key") {
      request.headers.add(name: "Idempotency-Key", value: UUID().uuidString.lowercased())
    }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
    }
    var response: HTTPClientResponse
    var bytes: ByteBuffer
    do {
      (response, bytes) = try await exchange(request)
    } catch  where method == .GET || request.headers.contains(name: "Idempotency-Key") {
      // A pooled connection the server has just closed fails the first try; a read may
      // repeat, and so may a write whose key makes the server answer a repeat from memory.
      do {
        (response, bytes) = try await exchange(request)
      } catch {
        throw Failure(status: 0, code: "unreachable", description: "cannot reach \(server.absoluteString): \(error)")
      }
    } catch {
      throw Failure(status: 0, code: "unreachable", description: "cannot reach \(server.absoluteString): \(error)")
    }
    let data = Data(buffer: bytes)
    let object: Any = (data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
    let status = Int(response.status.code)
    guard (200..<300).contains(status) else { throw Self.failure(status: status, object: object, data: data) }
    return Reply(status: status, object: object, etag: response.headers.first(name: "ETag"))
  }

  /// The bytes at `url` (a download link from the artifacts listing), up to 512 MiB.
  package func download(_ url: String) async throws -> Data {
    let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(120))
    let bytes = try await response.body.collect(upTo: 512 << 20)
    guard response.status == .ok else {
      throw Failure(
        status: Int(response.status.code), code: "download_failed", description: "GET \(url) answered \(response.status.code)")
    }
    return Data(buffer: bytes)
  }

  private func exchange(_ request: HTTPClientRequest) async throws -> (HTTPClientResponse, ByteBuffer) {
    let response = try await http.execute(request, timeout: .seconds(30))
    return (response, try await response.body.collect(upTo: 16 << 20))
  }

  /// Opens `path` as an event stream, resuming after `lastEventID`, and hands each event to
  /// `onEvent` until the server closes the stream or `onEvent` returns false.
  package func followEvents(
    _ path: String, lastEventID: String?, onEvent: (ServerSentEvent) async throws -> Bool
  ) async throws {
    var request = HTTPClientRequest(url: try url(path))
    authorize(&request)
    request.headers.add(name: "Accept", value: "text/event-stream")
    if let lastEventID, !lastEventID.isEmpty { request.headers.add(name: "Last-Event-ID", value: lastEventID) }
    let response: HTTPClientResponse
    do {
      response = try await http.execute(request, timeout: .seconds(30))
    } catch {
      throw Failure(status: 0, code: "unreachable", description: "cannot reach \(server.absoluteString): \(error)")
    }
    guard response.status == .ok else {
      let data = Data(buffer: (try? await response.body.collect(upTo: 1 << 20)) ?? ByteBuffer())
      let object = (try? JSONSerialization.jsonObject(with: data)) ?? [String: Any]()
      throw Self.failure(status: Int(response.status.code), object: object, data: data)
    }
    var parser = ServerSentEventParser()
    var following = true
    // Once `onEvent` has had enough, the rest is read and dropped: the server ends a stream
    // after its last event, and a body left half-read would spoil the pooled connection.
    for try await chunk in response.body where following {
      for event in parser.feed(chunk.readableBytesView) where following {
        following = try await onEvent(event)
      }
    }
  }

  private func authorize(_ request: inout HTTPClientRequest) {
    if let token { request.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
  }

  private func url(_ path: String) throws -> String {
    guard let url = URL(string: path, relativeTo: server) else {
      throw Failure(status: 0, code: "bad_path", description: "bad path \(path)")
    }
    return url.absoluteString
  }

  private static func failure(status: Int, object: Any, data: Data) -> Failure {
    let problem = object as? [String: Any]
    let code = problem?["code"] as? String ?? "http_\(status)"
    let detail = problem?["detail"] as? String ?? String(decoding: data, as: UTF8.self)
    return Failure(status: status, code: code, description: "\(status) \(code): \(detail)")
  }
}

import AsyncHTTPClient
import Domain
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import ServiceKit

/// Posts JSON and reads JSON back, turning transport failures and non-2xx answers into
/// `ChatTransportError`s the breaker counts.
struct JSONPoster: Sendable {
  let client: HTTPClient
  let timeout: TimeAmount
  /// The server's base URL without a trailing slash, to append paths to.
  let baseURL: String

  init(baseURL: String, client: HTTPClient, timeout: Duration) {
    self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
    self.client = client
    self.timeout = .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)
  }

  func post(_ path: String, headers: [(String, String)], body: [String: Any]) async throws -> [String: Any] {
    let url = baseURL + path
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: "application/json")
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(ByteBuffer(data: try SortedJSON.data(body)))
    let response: HTTPClientResponse
    let bytes: ByteBuffer
    do {
      response = try await client.execute(request, timeout: timeout)
      bytes = try await response.body.collect(upTo: 8 << 20)
    } catch {
      throw ChatTransportError(status: 0, description: "no answer from \(url): \(error)")
    }
    let status = Int(response.status.code)
    guard (200..<300).contains(status) else {
      throw ChatTransportError(
        status: status,
        description: "\(url) answered \(status): \(String(decoding: bytes.readableBytesView, as: UTF8.self).prefix(300))")
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any] else {
      throw ChatTransportError(status: status, description: "\(url) answered with something that is not a JSON object")
    }
    return object
  }
}

/// OpenAI-compatible chat completions (`POST {base}/chat/completions`).
public struct OpenAIChatTransport: ChatTransport {
  public let identity: ProviderIdentity
  let apiKey: String
  let poster: JSONPoster

  public init(baseURL: String, model: String, apiKey: String, client: HTTPClient, timeout: Duration = .seconds(30)) {
    identity = ProviderIdentity(name: "openai", model: model)
    self.apiKey = apiKey
    poster = JSONPoster(baseURL: baseURL, client: client, timeout: timeout)
  }

  public func complete(_ messages: [ChatMessage]) async throws -> ChatReply {
    let reply = try await poster.post(
      "/chat/completions", headers: [("Authorization", "Bearer \(apiKey)")],
      body: [
        "model": identity.model, "temperature": 0, "response_format": ["type": "json_object"],
        "messages": messages.map { ["role": $0.role.rawValue, "content": $0.content] },
      ])
    guard let choices = reply["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any],
      let text = message["content"] as? String
    else { throw ChatTransportError(status: 200, description: "the reply has no choices[0].message.content") }
    let usage = reply["usage"] as? [String: Any]
    return ChatReply(
      text: text, inputTokens: usage?["prompt_tokens"] as? Int ?? 0, outputTokens: usage?["completion_tokens"] as? Int ?? 0)
  }
}

/// Anthropic messages (`POST {base}/v1/messages`).
public struct AnthropicMessagesTransport: ChatTransport {
  public let identity: ProviderIdentity
  let apiKey: String
  let poster: JSONPoster

  public init(baseURL: String, model: String, apiKey: String, client: HTTPClient, timeout: Duration = .seconds(30)) {
    identity = ProviderIdentity(name: "anthropic", model: model)
    self.apiKey = apiKey
    poster = JSONPoster(baseURL: baseURL, client: client, timeout: timeout)
  }

  public func complete(_ messages: [ChatMessage]) async throws -> ChatReply {
    let system =
      messages.filter { $0.role == .system }.map(\.content).joined(separator: "\n\n")
      + "\n\nReply with one JSON object and nothing else."
    let reply = try await poster.post(
      "/v1/messages", headers: [("x-api-key", apiKey), ("anthropic-version", "2023-06-01")],
      body: [
        "model": identity.model, "temperature": 0, "max_tokens": 4096, "system": system,
        "messages": messages.filter { $0.role != .system }.map { ["role": $0.role.rawValue, "content": $0.content] },
      ])
    guard let content = reply["content"] as? [[String: Any]],
      let text = content.first(where: { $0["type"] as? String == "text" })?["text"] as? String
    else { throw ChatTransportError(status: 200, description: "the reply has no text content") }
    let usage = reply["usage"] as? [String: Any]
    return ChatReply(
      text: text, inputTokens: usage?["input_tokens"] as? Int ?? 0, outputTokens: usage?["output_tokens"] as? Int ?? 0)
  }
}

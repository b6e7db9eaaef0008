import Domain

/// One exchange with a chat model: messages in, text and token counts out.
public struct ChatMessage: Sendable, Equatable, Codable {
  public enum Role: String, Sendable, Codable { case system, user, assistant }
  public var role: Role
  public var content: String

  public init(_ role: Role, _ content: String) {
    self.role = role
    self.content = content
  }
}

public struct ChatReply: Sendable, Equatable {
  public var text: String
  public var inputTokens: Int
  public var outputTokens: Int

  public init(text: String, inputTokens: Int, outputTokens: Int) {
    self.text = text
    self.inputTokens = inputTokens
    self.outputTokens = outputTokens
  }
}

/// A wire protocol to a chat model (OpenAI-compatible chat completions, Anthropic messages).
public protocol ChatTransport: Sendable {
  var identity: ProviderIdentity { get }
  /// Temperature 0 and JSON output requested, always.
  func complete(_ messages: [ChatMessage]) async throws -> ChatReply
}

/// The model's server answered, but not with a usable reply (HTTP 5xx, 429, bad JSON).
public struct ChatTransportError: Error, CustomStringConvertible, Sendable {
  public var status: Int
  public var description: String

  public init(status: Int, description: String) {
    self.status = status
    self.description = description
  }
}

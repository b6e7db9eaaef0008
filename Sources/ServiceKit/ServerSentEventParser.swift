/// One event read off a `text/event-stream`.
public struct ServerSentEvent: Sendable, Equatable {
  /// The last `id:` seen on the stream so far (the spec's "last event ID"), empty if none.
  public var id: String
  /// `message` when the event named no type.
  public var event: String
  public var data: String
  /// A `retry:` hint that arrived with this block, in milliseconds.
  public var retry: Int?

  public init(id: String = "", event: String = "message", data: String = "", retry: Int? = nil) {
    self.id = id
    self.event = event
    self.data = data
    self.retry = retry
  }
}

/// An incremental `text/event-stream` parser (the WHATWG rules): feed it bytes as they
/// arrive, in chunks cut anywhere, and it returns the events each chunk completed.
///
/// A block with neither data nor a type is not an event, except that a `retry:` line alone
/// is reported (with empty data) so a client can honour the hint.
public struct ServerSentEventParser: Sendable {
  private var line: [UInt8] = []
  private var lastWasCarriageReturn = false
  private var lastEventID = ""
  private var eventType = ""
  private var dataLines: [String] = []
  private var hasData = false
  private var retry: Int?

  public init() {}

  public mutating func feed(_ bytes: some Sequence<UInt8>) -> [ServerSentEvent] {
    var events: [ServerSentEvent] = []
    for byte in bytes {
      switch byte {
      case UInt8(ascii: "\n") where lastWasCarriageReturn:
        lastWasCarriageReturn = false  // the \n of a \r\n pair
      case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
        lastWasCarriageReturn = byte == UInt8(ascii: "\r")
        if let event = endLine() { events.append(event) }
      default:
        lastWasCarriageReturn = false
        line.append(byte)
      }
    }
    return events
  }

  private mutating func endLine() -> ServerSentEvent? {
    defer { line.removeAll(keepingCapacity: true) }
    if line.isEmpty { return dispatch() }
    if line.first == UInt8(ascii: ":") { return nil }  // a comment
    let text = String(decoding: line, as: UTF8.self)
    let field: Substring
    var value: Substring
    if let colon = text.firstIndex(of: ":") {
      field = text[..<colon]
      value = text[text.index(after: colon)...]
      if value.first == " " { value = value.dropFirst() }
    } else {
      field = Substring(text)
      value = ""
    }
    switch field {
    case "event": eventType = String(value)
    case "data":
      dataLines.append(String(value))
      hasData = true
    case "id" where !value.contains("\0"): lastEventID = String(value)
    case "retry": if let milliseconds = Int(value), value.allSatisfy(\.isASCII) { retry = milliseconds }
    default: break
    }
    return nil
  }

  private mutating func dispatch() -> ServerSentEvent? {
    defer {
      eventType = ""
      dataLines.removeAll()
      hasData = false
      retry = nil
    }
    guard hasData || !eventType.isEmpty || retry != nil else { return nil }
    return ServerSentEvent(
      id: lastEventID, event: eventType.isEmpty ? "message" : eventType, data: dataLines.joined(separator: "\n"),
      retry: retry)
  }
}

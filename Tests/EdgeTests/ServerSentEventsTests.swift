import EdgeAPI
import NIOCore
import Testing

@Suite struct ServerSentEventsTests {
  @Test func aJSONPayloadIsOneDataLine() {
    let payload = #"{"choice":"SageMaker endpoint","rationale":"p95 \u2264 200 ms; ☁️ eu-central-1"}"#
    #expect(
      String(buffer: ServerSentEvents.event(id: 7, type: "reason-card", data: payload))
        == "id: 7\nevent: reason-card\ndata: \(payload)\n\n")
  }

  @Test func everyLineBreakTheFormatKnowsStartsADataLine() {
    // CRLF, LF and CR each end a line in text/event-stream; left inside one data line, a CR
    // would end it early at the client and the rest would be read as a field of its own.
    #expect(
      String(buffer: ServerSentEvents.event(id: 1, type: "t", data: "a\nb\r\nc\rd\n"))
        == "id: 1\nevent: t\ndata: a\ndata: b\ndata: c\ndata: d\ndata: \n\n")
  }
}

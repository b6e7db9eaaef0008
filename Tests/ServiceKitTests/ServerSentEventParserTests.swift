import ServiceKit
import Testing

@Suite struct ServerSentEventParserTests {
  @Test func readsEventsCutAnywhereAcrossChunks() {
    let wire = "retry: 2000\n\nid: 7\nevent: reason-card\ndata: {\"a\":1}\n\n: a comment\nevent: ping\ndata: {}\n\n"
    let bytes = Array(wire.utf8)
    for cut in 0...bytes.count {
      var parser = ServerSentEventParser()
      let events = parser.feed(bytes[..<cut]) + parser.feed(bytes[cut...])
      #expect(
        events == [
          ServerSentEvent(event: "message", data: "", retry: 2000),
          ServerSentEvent(id: "7", event: "reason-card", data: "{\"a\":1}"),
          ServerSentEvent(id: "7", event: "ping", data: "{}"),
        ], "cut at \(cut)")
    }
  }

  @Test func joinsDataLinesAndAcceptsEveryLineEnding() {
    var parser = ServerSentEventParser()
    let events = parser.feed(Array("data:one\r\ndata: two\rdata\r\n\r\nid: 3\ndata: x\n\n".utf8))
    #expect(events == [ServerSentEvent(data: "one\ntwo\n"), ServerSentEvent(id: "3", data: "x")])
  }

  @Test func aBlockWithoutDataOrTypeIsNoEventAndAnUnfinishedOneWaits() {
    var parser = ServerSentEventParser()
    #expect(parser.feed(Array("id: 4\n\nretry: soon\n\ndata: half".utf8)).isEmpty)
    #expect(parser.feed(Array("\n\n".utf8)) == [ServerSentEvent(id: "4", data: "half")])
  }
}

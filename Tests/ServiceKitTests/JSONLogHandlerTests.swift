import Foundation
import Logging
import Testing

@testable import ServiceKit

@Suite struct JSONLogHandlerTests {
  @Test func oneParsableObjectPerLine() throws {
    let line = JSONLogHandler.line(
      date: Date(timeIntervalSince1970: 0), level: .warning, label: "edge",
      message: "quote \" newline \n tab \t bell \u{07}",
      metadata: ["request_id": "r-1", "node": "planner", "latency_ms": .stringConvertible(12)])
    #expect(line.hasSuffix("}\n"))
    #expect(line.dropLast().contains("\n") == false)
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["ts"] as? String == "1970-01-01T00:00:00.000Z")
    #expect(object["level"] as? String == "warning")
    #expect(object["logger"] as? String == "edge")
    #expect(object["msg"] as? String == "quote \" newline \n tab \t bell \u{07}")
    #expect(object["request_id"] as? String == "r-1")
    #expect(object["latency_ms"] as? String == "12")
  }

  @Test func nestedMetadataStaysJSON() throws {
    let line = JSONLogHandler.line(
      date: Date(), level: .info, label: "x", message: "m",
      metadata: ["tags": ["a", "b"], "ctx": ["k": "v"]])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(object["tags"] as? [String] == ["a", "b"])
    #expect(object["ctx"] as? [String: String] == ["k": "v"])
  }
}

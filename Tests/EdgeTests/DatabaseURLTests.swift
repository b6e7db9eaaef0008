import EdgeAPI
import EdgeRuntime
import Foundation
import TestSupport
import Testing

@Suite struct DatabaseURLTests {
  @Test func parsesAFullURL() throws {
    let url = try DatabaseURL(parsing: "postgres://app:s%40cret@db.internal:6543/mlops?sslmode=require")
    #expect(url.host == "db.internal")
    #expect(url.port == 6543)
    #expect(url.username == "app")
    #expect(url.password == "s@cret")
    #expect(url.database == "mlops")
    #expect(url.sslMode == .require)
    #expect(url.redacted == "postgres://app:***@db.internal:6543/mlops")
  }

  @Test(arguments: ["mysql://a@b/c", "postgres:///db", "postgres://host/db", "not a url", "postgres://u@h/d?sslmode=bogus"])
  func rejectsWhatItCannotUse(_ text: String) {
    #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL(parsing: text) }
  }
}

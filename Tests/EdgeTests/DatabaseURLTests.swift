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

  @Test func aPasswordGivenApartReplacesTheURLs() throws {
    let url = try DatabaseURL(parsing: "postgres://app:old@db.internal/mlops?sslmode=require", password: "n:w@/p%")
    #expect(url.password == "n:w@/p%")
    #expect(url.username == "app")
    #expect(try DatabaseURL(parsing: "postgres://app@db.internal/mlops", password: nil).password == nil)
    let secret = #"{"username":"mlops","password":"p\"{w"}"#
    #expect(try DatabaseURL(parsing: "postgres://mlops@db.internal/mlops", password: secret).password == #"p"{w"#)
    #expect(try DatabaseURL(parsing: "postgres://mlops@db.internal/mlops", password: "{not json").password == "{not json")
  }

  @Test(arguments: ["mysql://a@b/c", "postgres:///db", "postgres://host/db", "not a url", "postgres://u@h/d?sslmode=bogus"])
  func rejectsWhatItCannotUse(_ text: String) {
    #expect(throws: DatabaseURL.ParseError.self) { try DatabaseURL(parsing: text) }
  }
}

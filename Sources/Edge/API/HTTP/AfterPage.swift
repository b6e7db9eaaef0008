import Hummingbird

/// `?after=&limit=` of the append-only listings (events, the audit trail): the id of the last
/// item already read (0: from the start) and how many to return, 1 to 1000 (default 100).
struct AfterPage {
  var after: Int64 = 0
  var limit = 100

  /// `item` names what the ids count in the error a bad `after` gets ("an event id").
  static func read(_ request: Request, item: String) throws(Problem) -> AfterPage {
    let query = request.uri.queryParameters
    var page = AfterPage()
    if let text = query["after"] {
      guard let value = Int64(String(text)), value >= 0 else {
        throw Problem.invalidField("after", "after must be \(item) (a whole number, 0 or more)")
      }
      page.after = value
    }
    if let text = query["limit"] {
      guard let value = Int(String(text)), (1...1000).contains(value) else {
        throw Problem.invalidField("limit", "limit must be a whole number from 1 to 1000")
      }
      page.limit = value
    }
    return page
  }
}

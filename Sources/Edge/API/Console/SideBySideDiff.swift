/// A unified git diff as rows of two columns, before and after: unchanged lines on both
/// sides, a run of removed lines beside the run of added lines that replaced it.
package enum SideBySideDiff {
  static let maxRowsPerFile = 400

  package static func files(_ unified: String) -> [[String: Any]] {
    var files: [[String: Any]] = []
    var path = ""
    var status = "modified"
    var rows: [[String: String]] = []
    var removed: [String] = []
    var added: [String] = []

    func flush() {
      for index in 0..<max(removed.count, added.count) {
        rows.append([
          "left": index < removed.count ? removed[index] : "", "left_kind": index < removed.count ? "removed" : "",
          "right": index < added.count ? added[index] : "", "right_kind": index < added.count ? "added" : "",
        ])
      }
      removed = []
      added = []
    }
    func finish() {
      flush()
      if !path.isEmpty {
        files.append(["path": path, "status": status, "rows": Array(rows.prefix(maxRowsPerFile))])
      }
      rows = []
    }

    for line in unified.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("diff --git ") {
        finish()
        path = line.split(separator: " ").last.map { String($0.dropFirst(2)) } ?? ""
        status = "modified"
      } else if line.hasPrefix("new file") {
        status = "added"
      } else if line.hasPrefix("deleted file") {
        status = "deleted"
      } else if line.hasPrefix("+++") || line.hasPrefix("---") || line.hasPrefix("index ") {
        continue
      } else if line.hasPrefix("@@") {
        flush()
        rows.append(["left": String(line), "left_kind": "hunk", "right": "", "right_kind": "hunk"])
      } else if line.hasPrefix("-") {
        removed.append(String(line.dropFirst()))
      } else if line.hasPrefix("+") {
        added.append(String(line.dropFirst()))
      } else if line.hasPrefix(" ") {
        flush()
        let text = String(line.dropFirst())
        rows.append(["left": text, "left_kind": "", "right": text, "right_kind": ""])
      }
    }
    finish()
    return files
  }
}

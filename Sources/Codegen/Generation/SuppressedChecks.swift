import Contracts
import Foundation

/// The checkov checks the generated Terraform turns off for itself (`#checkov:skip=ID:reason`
/// inside a resource), read back from the rendered files, so docs/policy.md lists exactly
/// what the code says, with the resource each skip sits in.
enum SuppressedChecks {
  struct Skip: Equatable {
    var check: String
    var path: String
    var resource: String
    var reason: String
  }

  static func read(_ files: [Mlops_V1_GeneratedFile]) -> [Skip] {
    var skips: [Skip] = []
    for file in files where file.path.hasPrefix("infra/") && file.path.hasSuffix(".tf") {
      var resource = ""
      for line in String(decoding: file.content, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("resource \"") {
          // resource "aws_s3_bucket" "this" {  →  aws_s3_bucket.this
          resource = line.split(separator: "\"").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            .joined(separator: ".")
        }
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("#checkov:skip=") else { continue }
        let body = trimmed.dropFirst("#checkov:skip=".count)
        let check = body.prefix { $0 != ":" }
        let reason = body.dropFirst(check.count).drop { $0 == ":" }
        skips.append(Skip(check: String(check), path: file.path, resource: resource, reason: String(reason)))
      }
    }
    return skips
  }

  static func context(_ skips: [Skip]) -> [String: Any] {
    [
      "checkov_skips": skips.map { ["check": $0.check, "path": $0.path, "resource": $0.resource, "reason": $0.reason] },
      "has_checkov_skips": !skips.isEmpty,
    ]
  }
}

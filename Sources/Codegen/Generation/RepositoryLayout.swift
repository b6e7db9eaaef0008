/// Which templates a repository includes: the Terraform modules of the chosen components
/// only, and one decision record per decision.
enum RepositoryLayout {
  /// Rendered once per decision record, not at its own path.
  static let decisionTemplate = "docs/adr/decision.md"
  /// Rendered last: it lists the checks the other files turn off.
  static let policyTemplate = "docs/policy.md"

  /// Template folders that exist only when the context's flag is true.
  static let conditionalFolders: [(prefix: String, flag: String)] = [
    ("infra/terraform/modules/kms/", "kms"),
    ("infra/terraform/modules/network/", "network"),
    ("infra/terraform/modules/database/", "has_database"),
    ("infra/terraform/modules/serving/", "has_serving"),
  ]

  static func includes(_ template: String, context: [String: Any]) -> Bool {
    for folder in conditionalFolders where template.hasPrefix(folder.prefix) {
      return context[folder.flag] as? Bool ?? false
    }
    return true
  }
}

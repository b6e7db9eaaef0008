import Contracts

/// How a plan marks a candidate the constraints rule out: each of its reasons starts with
/// `excludedPrefix`. The planner writes the mark; whoever offers candidates to people reads it.
extension Mlops_V1_Candidate {
  public static let excludedPrefix = "excluded: "

  public var isExcluded: Bool { reasons.contains { $0.hasPrefix(Self.excludedPrefix) } }
}

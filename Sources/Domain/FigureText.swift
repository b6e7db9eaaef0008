import ServiceKit

/// A figure as Reason Cards and findings write it: whole numbers without decimals, others
/// with two.
public enum FigureText {
  public static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(saturating: value)) : String(format: "%.2f", value)
  }
}

extension Int {
  /// The nearest `Int` to `value` rounded toward zero, with NaN as 0 and anything beyond the
  /// range as `Int.min`/`Int.max`. `Int(_: Double)` traps on those, and a trap ends the whole
  /// process, so every conversion of a computed figure goes through here.
  public init(saturating value: Double) {
    if value.isNaN {
      self = 0
    } else if value >= 9.223_372_036_854_775e18 {
      self = .max
    } else if value <= -9.223_372_036_854_775e18 {
      self = .min
    } else {
      self = Int(value)
    }
  }
}

extension Int32 {
  public init(saturating value: Double) {
    self = Int32(clamping: Int(saturating: value))
  }
}

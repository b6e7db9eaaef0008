extension Sequence where Element == UInt8 {
  /// Lower-case hexadecimal, two digits a byte: how hashes and signatures are written here.
  public var lowercaseHex: String {
    // By table, not `String(format:)`: hashing artifacts spelled every byte through
    // Foundation's formatter, a few percent of a whole run's CPU (`mlops bench e2e` under perf).
    let digits = Array("0123456789abcdef".utf8)
    var spelled: [UInt8] = []
    spelled.reserveCapacity(underestimatedCount * 2)
    for byte in self {
      spelled.append(digits[Int(byte >> 4)])
      spelled.append(digits[Int(byte & 0x0f)])
    }
    return String(decoding: spelled, as: UTF8.self)
  }
}

extension Array where Element == UInt8 {
  /// The bytes that `hex` spells, two digits a byte (either case); nil when it is not hex.
  public init?(hexadecimal hex: String) {
    let digits = Array(hex.utf8)
    guard digits.count % 2 == 0 else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
      switch c {
      case 48...57: c - 48
      case 97...102: c - 87
      case 65...70: c - 55
      default: nil
      }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(digits.count / 2)
    for index in stride(from: 0, to: digits.count, by: 2) {
      guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
      bytes.append(high << 4 | low)
    }
    self = bytes
  }
}

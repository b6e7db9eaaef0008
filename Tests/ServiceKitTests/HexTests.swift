import Crypto
import ServiceKit
import Testing

@Suite struct HexTests {
  @Test func spellsEveryByteInTwoLowerCaseDigits() {
    #expect([UInt8]().lowercaseHex == "")
    #expect(([0x00, 0x0f, 0x10, 0xa5, 0xff] as [UInt8]).lowercaseHex == "000f10a5ff")
    #expect(Array(0...255 as ClosedRange<UInt8>).lowercaseHex.count == 512)
  }

  @Test func readsBackWhatItSpells() {
    let bytes = Array(0...255 as ClosedRange<UInt8>)
    #expect([UInt8](hexadecimal: bytes.lowercaseHex) == bytes)
  }

  @Test func spellsADigestAsSha256sumDoes() {
    #expect(
      SHA256.hash(data: Array("abc".utf8)).lowercaseHex
        == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }
}

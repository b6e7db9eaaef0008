import Contracts
import Crypto
import Foundation
import ServiceKit

/// Signs the manifests Codegen generates and checks them when a bundle comes back to be
/// validated: the validators execute the bundle's code (pytest imports it), so they run only
/// on files this Codegen wrote, never on files a caller made up. The key is Codegen's alone
/// (`MLOPS_CODEGEN_SIGNING_KEY`, or a random key kept in the data directory); Edge carries
/// the signature without being able to make one.
public struct ManifestSigner: Sendable {
  let key: SymmetricKey

  public init(key: SymmetricKey) {
    self.key = key
  }

  /// A key from text (any length; hashed to 256 bits).
  public init(secret: String) {
    self.init(key: SymmetricKey(data: SHA256.hash(data: Data(secret.utf8))))
  }

  /// The key in `file`, made (random, mode 0600) when the file does not exist yet.
  public static func persisted(at file: URL) throws -> ManifestSigner {
    if let text = try? String(contentsOf: file, encoding: .utf8), !text.isEmpty {
      return ManifestSigner(secret: text.trimmingCharacters(in: .whitespacesAndNewlines))
    }
    let secret = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.lowercaseHex
    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
    guard FileManager.default.createFile(atPath: file.path, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600])
    else {
      throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path])
    }
    return ManifestSigner(secret: secret)
  }

  /// A fresh random key, for one process (tests, benchmarks).
  public static func ephemeral() -> ManifestSigner {
    ManifestSigner(key: SymmetricKey(size: .bits256))
  }

  public func sign(_ manifest: Mlops_V1_BundleManifest) -> Mlops_V1_BundleManifest {
    var signed = manifest
    signed.signature = signature(of: manifest)
    return signed
  }

  /// Why `files` are not a bundle this Codegen generated, or nothing when they are.
  public func problems(_ files: [Mlops_V1_GeneratedFile], manifest: Mlops_V1_BundleManifest) -> [String] {
    guard let given = [UInt8](hexadecimal: manifest.signature), !given.isEmpty,
      HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Self.message(manifest), using: key)
    else {
      return ["the manifest's signature is not Codegen's: only bundles that Codegen.Generate returned are validated"]
    }
    var problems = BundleManifestBuilder.mismatches(files, manifest: manifest)
    let recomputed = BundleManifestBuilder.manifest(for: files, generator: manifest.generatorVersion)
    if problems.isEmpty, recomputed.bundleSha256 != manifest.bundleSha256 {
      problems.append("the files' modes or sizes do not match the signed bundle hash")
    }
    return problems
  }

  func signature(of manifest: Mlops_V1_BundleManifest) -> String {
    HMAC<SHA256>.authenticationCode(for: Self.message(manifest), using: key).lowercaseHex
  }

  static func message(_ manifest: Mlops_V1_BundleManifest) -> Data {
    Data("\(manifest.generatorVersion)\n\(manifest.bundleSha256)".utf8)
  }
}

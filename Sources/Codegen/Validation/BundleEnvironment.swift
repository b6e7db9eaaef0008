import Crypto
import Foundation
import ServiceKit

/// The Python environment a bundle's own tests and type checks run in: a venv holding
/// exactly the packages its `requirements.lock` pins, built once per lock (named by the
/// lock's sha256) in the validator cache and reused by every later bundle with the same lock.
///
/// pip runs outside the sandbox, since it needs the network, but it only installs: every
/// line of the lock must be a plain `name==version` pin (no URLs, paths or pip options),
/// `--no-deps` installs nothing the lock does not name, and `--only-binary :all:` runs no
/// package's build code. The tests then run inside the sandbox, with no network.
struct BundleEnvironment: Sendable {
  static let lockFile = "requirements.lock"

  /// The venv's interpreter as the tools see it (inside the sandbox, under the cache mount).
  var python: String
  /// What the report says: which lock, and whether the venv was built now or reused.
  var summary: String

  enum Failure: Error {
    /// The lock is not a list of pins: the bundle's fault, reported as a finding.
    case invalidLock(line: Int, text: String)
    /// pip could not build it (no network, a pin that does not exist): the validator did not run.
    case unavailable(String)
  }

  static let pin = NSRegularExpression.builtIn(#"^[A-Za-z0-9][A-Za-z0-9._-]*==[A-Za-z0-9][A-Za-z0-9.+!_-]*$"#)

  /// The pins of a lock file, or the first line that is not one.
  static func pins(_ lock: String) throws(Failure) -> [String] {
    var pins: [String] = []
    for (index, raw) in lock.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.trimmingCharacters(in: .whitespaces)
      if line.isEmpty || line.hasPrefix("#") { continue }
      guard pin.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)) != nil else {
        throw .invalidLock(line: index + 1, text: String(line.prefix(120)))
      }
      pins.append(line)
    }
    return pins
  }

  /// The venv for `lock`, built under `cache` with `python3` if it is not there yet.
  static func prepare(lock: String, python3: String, cache: URL, cacheAsSeen: String, timeoutSeconds: Int) async throws(Failure)
    -> BundleEnvironment
  {
    let pins = try pins(lock)
    let key = String(BundleManifestBuilder.hex(SHA256.hash(data: Data(pins.joined(separator: "\n").utf8))).prefix(16))
    let venvs = cache.appending(path: "venvs")
    let home = venvs.appending(path: key)
    let ready = home.appending(path: ".complete")
    let seen = cacheAsSeen + "/venvs/\(key)/bin/python"
    if FileManager.default.fileExists(atPath: ready.path) {
      return BundleEnvironment(python: seen, summary: "the bundle's own venv (\(lockFile) sha256 \(key)…), reused")
    }
    // One build per lock at a time, across processes: a second validation waits for the
    // first's venv instead of downloading the same packages beside it.
    do {
      try FileManager.default.createDirectory(at: venvs, withIntermediateDirectories: true)
    } catch {
      throw .unavailable("the bundle's venv could not be made: \(error)")
    }
    let lock = await BuildLock.acquire(venvs.appending(path: "\(key).lock").path)
    defer { lock.release() }
    if FileManager.default.fileExists(atPath: ready.path) {
      return BundleEnvironment(python: seen, summary: "the bundle's own venv (\(lockFile) sha256 \(key)…), reused")
    }
    let started = ContinuousClock.now
    let building = venvs.appending(path: "\(key).building-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: building) }
    do {
      let requirements = venvs.appending(path: "\(key).requirements.txt")
      try Data((pins.joined(separator: "\n") + "\n").utf8).write(to: requirements)
      try await step([python3, "-m", "venv", building.path], timeoutSeconds: 120)
      try await step(
        [
          building.path + "/bin/python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input",
          "--no-deps", "--only-binary", ":all:", "-r", requirements.path,
        ], timeoutSeconds: timeoutSeconds)
      try await step([building.path + "/bin/python", "-m", "pip", "check"], timeoutSeconds: 120)
      try Data().write(to: building.appending(path: ".complete"))
      do {
        try FileManager.default.moveItem(at: building, to: home)
      } catch  where FileManager.default.fileExists(atPath: ready.path) {
        // Another validation built the same lock meanwhile: use that one.
      }
    } catch let failure as Failure {
      throw failure
    } catch {
      throw .unavailable("the bundle's venv could not be made: \(error)")
    }
    let seconds = String(format: "%.1f", (ContinuousClock.now - started).seconds)
    return BundleEnvironment(
      python: seen, summary: "the bundle's own venv (\(lockFile) sha256 \(key)…), built in \(seconds) s")
  }

  private static func step(_ command: [String], timeoutSeconds: Int) async throws {
    let timeout =
      FileManager.default.isExecutableFile(atPath: "/usr/bin/timeout") ? ["/usr/bin/timeout", "\(timeoutSeconds)"] : []
    // pip's own settings (index, certificates, proxy) pass through; nothing else of the service's does.
    var environment = ProcessInfo.processInfo.environment.filter { key, _ in
      key.hasPrefix("PIP_") || key.lowercased().hasSuffix("_proxy") || key == "SSL_CERT_FILE"
    }
    environment.merge(
      ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": FileManager.default.temporaryDirectory.path, "LANG": "C.UTF-8"]
    ) { _, new in new }
    let output = try await CommandRunner.run(
      timeout + command, environment: environment, inheritEnvironment: false, checked: false)
    guard output.status == 0 else {
      let said = (output.standardError + output.standardOutput).trimmingCharacters(in: .whitespacesAndNewlines)
      throw Failure.unavailable(
        "`\(command.dropFirst().prefix(4).joined(separator: " "))` failed (status \(output.status)): \(said.suffix(600))")
    }
  }
}

/// An exclusive `flock` on a file, taken on a thread of its own since waiting for it blocks.
private struct BuildLock: Sendable {
  let descriptor: Int32

  static func acquire(_ path: String) async -> BuildLock {
    await withCheckedContinuation { continuation in
      Thread.detachNewThread {
        let descriptor = open(path, O_CREAT | O_RDWR, 0o644)
        if descriptor >= 0 { _ = flock(descriptor, LOCK_EX) }
        continuation.resume(returning: BuildLock(descriptor: descriptor))
      }
    }
  }

  func release() {
    guard descriptor >= 0 else { return }
    _ = flock(descriptor, LOCK_UN)
    close(descriptor)
  }
}

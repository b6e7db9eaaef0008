import EdgeAPI
import EdgeRuntime
import Foundation
import ServiceKit
import Testing

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

@Suite struct SigV4SignerTests {
  // The examples of AWS's "Signature Calculations for the Authorization Header" and
  // "Query String Authentication" pages (documented example credentials).
  static let signer = SigV4Signer(
    credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    region: "us-east-1")
  static let date = Date(timeIntervalSince1970: 1_369_353_600)  // 2013-05-24T00:00:00Z

  @Test func signsAWSsGetObjectExample() {
    let headers = Self.signer.sign(
      method: "GET", url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!, headers: ["range": "bytes=0-9"],
      payloadSHA256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", date: Self.date)
    #expect(
      headers["Authorization"]
        == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )
  }

  @Test func presignsAWSsQueryStringExample() {
    let url = Self.signer.presign(
      url: URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")!, expires: 86400, date: Self.date)
    #expect(url.absoluteString.hasSuffix("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"))
  }
}

/// The S3 store against moto's S3-compatible server, started by the test from the project's venv.
@Suite(.serialized) struct S3ArtifactStoreTests {
  @Test func roundTripDuplicatePutPresignAndLifecycle() async throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let moto = root.appending(path: ".venv/bin/moto_server").path
    try #require(FileManager.default.isExecutableFile(atPath: moto), "scripts/bootstrap installs moto[server] into .venv")
    let port = try FreePort.find()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: moto)
    process.arguments = ["-H", "127.0.0.1", "-p", "\(port)"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    defer {
      // moto's threaded server does not always stop on SIGTERM; nothing may outlive the test.
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
    var configuration = ArtifactConfiguration()
    configuration.kind = .s3
    configuration.bucket = "mlops-bundles"
    configuration.region = "eu-west-1"
    configuration.endpoint = "http://127.0.0.1:\(port)"
    configuration.credentials = .keys(accessKeyID: "testing", secretAccessKey: "testing", sessionToken: nil)
    let store = try S3ArtifactStore(configuration: configuration)
    var ready = false
    for _ in 0..<100 where !ready {
      ready = (try? await store.createBucket(region: "eu-west-1")) != nil
      if !ready { try await Task.sleep(for: .milliseconds(100)) }
    }
    try #require(ready, "moto_server did not start")
    try await store.createBucket(region: "eu-west-1")  // again: an existing bucket of ours is fine

    let project = UUID()
    let bytes = Data((0..<5000).map { UInt8($0 % 251) })
    let key = try ArtifactKey.bundle(projectID: project, sha256: String(repeating: "ab", count: 32))
    #expect(try await store.get(key) == nil)
    try await store.put(bytes, at: key)
    try await store.put(bytes, at: key)  // duplicate put: harmless
    #expect(try await store.get(key) == bytes)

    let link = try #require(try await store.presignedURL(for: key, expiresIn: 60))
    let (downloaded, response) = try await URLSession.shared.data(from: link)
    #expect((response as? HTTPURLResponse)?.statusCode == 200)
    #expect(downloaded == bytes)
    // moto accepts any signature, so a tampered presigned link is not refused here; the
    // signatures themselves are checked against AWS's published examples above.

    try await store.setBundleExpiry(days: 30)
    let lifecycle = try await store.lifecycle()
    #expect(lifecycle.contains("<Days>30</Days>"))
    #expect(lifecycle.contains("projects/"))

    // A deleted project's objects go; another project's stay.
    let other = try ArtifactKey.bundle(projectID: UUID(), sha256: String(repeating: "cd", count: 32))
    try await store.put(bytes, at: other)
    try await store.put(bytes, at: try .staging(projectID: project, bundleSHA256: String(repeating: "ab", count: 32)))
    #expect(try await store.removeProject(project) == 2)
    #expect(try await store.get(key) == nil)
    #expect(try await store.get(other) == bytes)
    #expect(try await store.removeProject(project) == 0)
  }
}

import Foundation
import ServiceKit

/// Where the validators' tools run: the generated code they import and execute (pytest runs
/// the repository's tests, terraform reads its files) is treated as hostile.
///
/// - A clean environment: PATH, a temporary HOME, LANG and what each tool needs; none of the
///   service's own variables (AWS keys, model keys, `DATABASE_URL`, `MLOPS_*`).
/// - With bubblewrap: no network (a namespace of its own), its own process tree (when the
///   tool times out or the service dies, every process in it is killed), `/` read-only with
///   `/root` hidden, the checkout and the cache the only writable folders; as root, the tool
///   runs as `nobody`.
/// - Limits (prlimit): CPU seconds, address space, file size and processes; GNU `timeout`
///   inside the namespace for the wall clock.
///
/// Where bubblewrap is missing or cannot make namespaces, the tools still get the clean
/// environment and the limits, and `isolation` says plainly that the network is not isolated.
public struct Sandbox: Sendable {
  public struct Limits: Sendable {
    public var cpuSeconds: Int = 600
    public var addressSpaceBytes: Int = 8 << 30
    public var fileSizeBytes: Int = 256 << 20
    public var processes: Int = 512
    public init() {}
  }

  /// `bwrap` when it works here; nil when it does not.
  let bubblewrap: String?
  let prlimit: String?
  let timeout: String?
  let dropToNobody: Bool
  /// Read-only folders under `/root` the tools need (a venv's base interpreter).
  let toolHomes: [String]
  let limits: Limits
  /// What the report says about the isolation the tools ran under.
  public let isolation: String

  static let nobody = "65534"

  /// Probes bubblewrap once (a few milliseconds): it is installed but refused where the
  /// kernel or a container forbids namespaces.
  public static func detect(toolDirectories: [String], limits: Limits = .init()) -> Sandbox {
    func executable(_ path: String) -> String? { FileManager.default.isExecutableFile(atPath: path) ? path : nil }
    let prlimit = executable("/usr/bin/prlimit")
    let timeout = executable("/usr/bin/timeout")
    let root = getuid() == 0
    var bubblewrap = executable("/usr/bin/bwrap")
    if let path = bubblewrap {
      let probe = [
        path, "--unshare-net", "--unshare-pid", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "/bin/true",
      ]
      if !succeeds(probe) { bubblewrap = nil }
    }
    let homes = toolDirectories.compactMap(Self.venvHome).filter { $0.hasPrefix("/root/") }
    var dropToNobody = root && bubblewrap != nil
    var asRoot = ""
    if dropToNobody, let tool = toolDirectories.first(where: { FileManager.default.fileExists(atPath: $0 + "/python3") }) {
      // nobody must reach the tools themselves: a checkout under a folder only root may
      // enter cannot be run as nobody, and then the tools run as root, still sandboxed.
      let probe = Sandbox(
        bubblewrap: bubblewrap, prlimit: nil, timeout: nil, dropToNobody: true, toolHomes: homes, limits: limits, isolation: "")
      let command = probe.wrap([tool + "/python3", "-c", "pass"], writable: [], workingDirectory: "/", timeoutSeconds: 30)
      if Self.succeeds(command) == false {
        dropToNobody = false
        asRoot = ", as root (nobody cannot reach \(tool))"
      }
    }
    let isolation: String
    if bubblewrap != nil {
      isolation =
        "bubblewrap: no network, own process tree, clean environment" + (dropToNobody ? ", as nobody" : asRoot)
        + (prlimit != nil ? ", CPU/memory/file/process limits" : "")
    } else {
      isolation =
        "NOT isolated from the network (bubblewrap is missing or cannot create namespaces here); clean environment"
        + (prlimit != nil ? ", CPU/memory/file/process limits" : "")
    }
    return Sandbox(
      bubblewrap: bubblewrap, prlimit: prlimit, timeout: timeout, dropToNobody: dropToNobody,
      toolHomes: homes, limits: limits, isolation: isolation)
  }

  /// Runs `command` to its end; whether it exited 0.
  static func succeeds(_ command: [String]) -> Bool {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.environment = ["PATH": "/usr/bin:/bin"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
      process.waitUntilExit()
      return process.terminationStatus == 0
    } catch {
      return false
    }
  }

  /// The cache folder as the tools see it: inside the sandbox it is mounted at `mount` (in the
  /// workspace), since its real home (the data directory) may be a folder `nobody` cannot walk.
  func cachePath(_ cache: URL, mount: String) -> String {
    bubblewrap == nil ? cache.path : mount
  }

  /// No isolation at all: for callers that only run the in-memory secret scan.
  public static let none = Sandbox(
    bubblewrap: nil, prlimit: nil, timeout: nil, dropToNobody: false, toolHomes: [], limits: .init(),
    isolation: "not needed: only the built-in scan ran")

  /// The interpreter prefix a venv in `binDirectory` runs (`home` in its `pyvenv.cfg`).
  static func venvHome(_ binDirectory: String) -> String? {
    let config = URL(fileURLWithPath: binDirectory).deletingLastPathComponent().appending(path: "pyvenv.cfg")
    guard let text = try? String(contentsOf: config, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") {
      let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      if parts.count == 2, parts[0] == "home" {
        return URL(fileURLWithPath: parts[1]).deletingLastPathComponent().path
      }
    }
    return nil
  }

  /// The environment a tool sees: nothing of the service's but what is named here.
  static func environment(path: String, home: String, extra: [String: String]) -> [String: String] {
    var environment = extra
    environment["PATH"] = path
    environment["HOME"] = home
    environment["LANG"] = "C.UTF-8"
    environment["TMPDIR"] = home
    environment["PYTHONDONTWRITEBYTECODE"] = "1"
    environment["NO_COLOR"] = "1"
    return environment
  }

  /// The command line that runs `command` inside the sandbox with `writable` folders.
  func wrap(
    _ command: [String], writable: [String], cache: (real: String, mount: String)? = nil, workingDirectory: String,
    timeoutSeconds: Int
  ) -> [String] {
    var inner = command
    if let timeout { inner = [timeout, "--kill-after=5", String(timeoutSeconds)] + inner }
    if let prlimit {
      inner =
        [
          prlimit, "--cpu=\(limits.cpuSeconds)", "--as=\(limits.addressSpaceBytes)", "--fsize=\(limits.fileSizeBytes)",
          "--nproc=\(limits.processes)", "--core=0",
        ] + inner
    }
    guard let bubblewrap else { return inner }
    if dropToNobody {
      inner = ["/usr/bin/setpriv", "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "--"] + inner
    }
    var arguments = [
      bubblewrap, "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--die-with-parent", "--new-session",
      "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
    ]
    if FileManager.default.fileExists(atPath: "/root") {
      arguments += ["--perms", "0755", "--tmpfs", "/root"]
      for home in toolHomes {
        // bubblewrap makes missing parents 0700; nobody must be able to walk down to the venv's base.
        var parent = ""
        for part in home.split(separator: "/").dropLast() {
          parent += "/\(part)"
          if parent != "/root" { arguments += ["--perms", "0755", "--dir", parent] }
        }
        arguments += ["--ro-bind", home, home]
      }
    }
    for folder in writable { arguments += ["--bind", folder, folder] }
    if let cache { arguments += ["--bind", cache.real, cache.mount] }
    arguments += ["--chdir", workingDirectory, "--"]
    return arguments + inner
  }

  /// Hands the folders the tools write to the user they run as. A folder nobody already owns
  /// holds only what nobody wrote, so the walk (thousands of mypy cache files) is skipped.
  func prepare(_ folders: [String]) {
    guard dropToNobody else { return }
    for folder in folders {
      var info = stat()
      if stat(folder, &info) == 0, info.st_uid == 65534 { continue }
      _ = chown(folder, 65534, 65534)
      guard let enumerator = FileManager.default.enumerator(atPath: folder) else { continue }
      for case let relative as String in enumerator { _ = lchown(folder + "/" + relative, 65534, 65534) }
    }
  }
}

import Foundation

/// Where the PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`) are on this machine.
package struct PostgresBinaries: Sendable, Equatable {
  package var directory: String

  package var initdb: String { directory + "/initdb" }
  package var pgCtl: String { directory + "/pg_ctl" }

  package struct NotFound: Error, CustomStringConvertible {
    package var searched: [String]
    package var description: String {
      """
      PostgreSQL server programs (initdb, pg_ctl) were not found; looked in \
      \(searched.joined(separator: ", ")). Install them with `apt-get install postgresql` \
      (Debian/Ubuntu), set MLOPS_PG_BIN_DIR to their folder, or set DATABASE_URL to use a \
      server you run yourself.
      """
    }
  }

  /// `MLOPS_PG_BIN_DIR` first, then Debian's `/usr/lib/postgresql/<newest>/bin`, then `PATH`.
  package static func locate(
    environment: [String: String] = ProcessInfo.processInfo.environment,
    fileManager: FileManager = .default
  ) throws(NotFound) -> PostgresBinaries {
    var candidates: [String] = []
    if let explicit = environment["MLOPS_PG_BIN_DIR"], !explicit.isEmpty { candidates.append(explicit) }
    let debianRoot = "/usr/lib/postgresql"
    let versions = ((try? fileManager.contentsOfDirectory(atPath: debianRoot)) ?? [])
      .compactMap { name in Int(name).map { ($0, name) } }
      .sorted { $0.0 > $1.0 }
    candidates += versions.map { "\(debianRoot)/\($0.1)/bin" }
    candidates += (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
    for directory in candidates {
      let binaries = PostgresBinaries(directory: directory)
      if fileManager.isExecutableFile(atPath: binaries.initdb), fileManager.isExecutableFile(atPath: binaries.pgCtl) {
        return binaries
      }
    }
    throw NotFound(searched: candidates.isEmpty ? [debianRoot] : candidates)
  }
}

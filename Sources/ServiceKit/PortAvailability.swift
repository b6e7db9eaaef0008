/// A listener this process is about to open, checked up front so a busy port is reported
/// with the variable that moves it rather than as a bare "address in use".
public struct PlannedListener: Sendable {
  public var name: String
  public var host: String
  public var port: Int
  public var variable: String

  public init(name: String, host: String, port: Int, variable: String) {
    self.name = name
    self.host = host
    self.port = port
    self.variable = variable
  }
}

public struct PortInUse: Error, CustomStringConvertible {
  public var listeners: [PlannedListener]
  public var description: String {
    listeners.map {
      "\($0.name) cannot listen on \($0.host):\($0.port): the port is in use; set \($0.variable) to another"
    }.joined(separator: "\n")
  }
}

extension Configuration {
  /// The listeners `mlops serve` (services plus Edge) or one role opens; `workerPort` is the
  /// worker's health port when the worker listens alone.
  public func listeners(services: [ServiceName], edge: Bool, workerPort: Int? = nil) -> [PlannedListener] {
    var planned = services.map {
      PlannedListener(
        name: $0.rawValue, host: address(of: $0).host, port: address(of: $0).port, variable: $0.addressVariable)
    }
    if edge { planned.append(PlannedListener(name: "edge", host: httpHost, port: httpPort, variable: "MLOPS_HTTP_PORT")) }
    if let workerPort {
      planned.append(PlannedListener(name: "worker", host: httpHost, port: workerPort, variable: "MLOPS_WORKER_PORT"))
    }
    return planned
  }

  /// Throws `PortInUse` naming every planned listener whose port cannot be bound now.
  public func ensurePortsFree(services: [ServiceName], edge: Bool, workerPort: Int? = nil) throws(PortInUse) {
    let busy = listeners(services: services, edge: edge, workerPort: workerPort).filter {
      $0.port != 0 && FreePort.bindError(host: $0.host, port: $0.port) != nil
    }
    if !busy.isEmpty { throw PortInUse(listeners: busy) }
  }
}

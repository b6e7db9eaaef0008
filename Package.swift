// swift-tools-version:6.2
import PackageDescription

let package = Package(
  name: "mlops",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "mlops", targets: ["mlops"])
  ],
  dependencies: [
    .package(url: "https://github.com/grpc/grpc-swift-2.git", exact: "2.4.3"),
    .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", exact: "2.9.2"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0", traits: []),
    .package(url: "https://github.com/hummingbird-project/hummingbird.git", exact: "2.28.1"),
    .package(url: "https://github.com/apple/swift-http-types.git", exact: "1.8.0"),
    .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", exact: "2.13.0"),
    .package(url: "https://github.com/apple/swift-log.git", exact: "1.16.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto.git", exact: "4.5.2"),
    .package(url: "https://github.com/swiftlang/swift-subprocess.git", exact: "1.0.2"),
    .package(url: "https://github.com/apple/swift-system.git", exact: "1.8.1"),
    .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
    .package(url: "https://github.com/x-sheep/swift-property-based.git", exact: "2.0.1"),
    .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache.git", exact: "2.1.1"),
    .package(url: "https://github.com/vapor/jwt-kit.git", exact: "5.8.0"),
    .package(url: "https://github.com/apple/swift-certificates.git", exact: "1.21.1"),
    .package(url: "https://github.com/apple/swift-asn1.git", exact: "1.7.4"),
    .package(url: "https://github.com/apple/swift-distributed-tracing.git", exact: "1.7.3"),
    .package(url: "https://github.com/apple/swift-metrics.git", exact: "2.13.0"),
    .package(url: "https://github.com/swift-server/swift-prometheus.git", exact: "2.4.1"),
    // OTLP over gRPC only: the HTTP exporter would add nothing a collector needs here.
    .package(url: "https://github.com/swift-otel/swift-otel.git", exact: "1.6.0", traits: ["OTLPGRPC"]),
  ],
  targets: [
    .target(
      name: "Contracts",
      dependencies: [
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
      ]
    ),
    .target(
      name: "ServiceKit",
      dependencies: [
        "Contracts",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "SystemPackage", package: "swift-system"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "SwiftASN1", package: "swift-asn1"),
        .product(name: "X509", package: "swift-certificates"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "OTel", package: "swift-otel"),
        .product(name: "Hummingbird", package: "hummingbird"),
      ]
    ),
    // The domain kernel: what more than one service needs (the capability catalog, enum
    // names, figures, Reason Card building, built-in patterns). Services depend on it and
    // never on each other.
    .target(
      name: "Domain",
      dependencies: [
        "Contracts", "ServiceKit",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      resources: [.copy("Resources/capability-catalog.json")]
    ),
    .target(
      name: "Providers",
      dependencies: [
        "ServiceKit", "Domain",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Metrics", package: "swift-metrics"),
      ]
    ),
    .target(
      name: "Planner",
      dependencies: [
        "Contracts", "ServiceKit", "Domain", "Providers",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      resources: [.copy("Resources/packs")]
    ),
    .target(
      name: "Critics",
      dependencies: ["Contracts", "ServiceKit", "Domain"],
      resources: [.copy("Resources/price-catalog.json")]
    ),
    .target(
      name: "Policy",
      dependencies: ["Contracts", "ServiceKit", "Domain"],
      resources: [.copy("Resources/packs")]
    ),
    .target(
      name: "Codegen",
      dependencies: [
        "Contracts", "ServiceKit", "Domain", "Providers",
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Subprocess", package: "swift-subprocess"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Metrics", package: "swift-metrics"),
      ],
      resources: [.copy("Resources/templates"), .copy("Resources/policy-report.schema.json")]
    ),
    // A brief taken in process through extraction, planning, both critics and policy: a
    // harness for benchmarks and tests, not a service.
    .target(
      name: "InProcessPipeline",
      dependencies: ["Contracts", "Planner", "Critics", "Policy"]
    ),
    // Edge's runtime: the database, the stores (one owner per table), the graph, the job
    // queue, the worker, the nodes, artifacts and versions. No HTTP.
    .target(
      name: "EdgeRuntime",
      dependencies: [
        "Contracts",
        "Domain",
        "ServiceKit",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOFoundationCompat", package: "swift-nio"),
        .product(name: "JWTKit", package: "jwt-kit"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
        .product(name: "Metrics", package: "swift-metrics"),
      ],
      path: "Sources/Edge/Runtime",
      resources: [.copy("Migrations"), .copy("Resources/rationale.schema.json")]
    ),
    // Edge's API: the REST routes and their JSON, the SSE streams, readiness.
    .target(
      name: "EdgeAPI",
      dependencies: [
        "Contracts",
        "Domain",
        "ServiceKit",
        "EdgeRuntime",
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Metrics", package: "swift-metrics"),
        .product(name: "Tracing", package: "swift-distributed-tracing"),
      ],
      path: "Sources/Edge/API",
      resources: [.copy("Resources/openapi.yaml"), .copy("Resources/console")]
    ),
    // What the mlops commands and the benchmarks share: configuration loading, the services
    // wired from it, the Edge runtime, the embedded stack and the REST client.
    .target(
      name: "Assembly",
      dependencies: [
        "Contracts", "ServiceKit", "Planner", "Critics", "Policy", "Codegen", "EdgeAPI", "EdgeRuntime", "Providers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    // `mlops bench`: each benchmark prints a table and, last, one JSON line of figures.
    .target(
      name: "Benchmarks",
      dependencies: [
        "Assembly", "Contracts", "ServiceKit", "Domain", "Planner", "Critics", "Policy", "Codegen", "EdgeAPI", "EdgeRuntime",
        "InProcessPipeline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ]
    ),
    .executableTarget(
      name: "mlops",
      dependencies: [
        "Assembly", "Benchmarks", "Contracts", "ServiceKit", "Planner", "Critics", "Policy", "Codegen", "EdgeAPI", "EdgeRuntime",
        "Providers",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]
    ),
    .testTarget(
      name: "ContractsTests",
      dependencies: [
        "Contracts",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]
    ),
    .testTarget(
      name: "ServiceKitTests",
      dependencies: [
        "ServiceKit", .product(name: "GRPCCore", package: "grpc-swift-2"), .product(name: "Crypto", package: "swift-crypto"),
      ]
    ),
    .testTarget(
      name: "CriticsTests",
      dependencies: [
        "Critics", "Planner", "Domain", "Contracts",
        .product(name: "PropertyBased", package: "swift-property-based"),
      ]
    ),
    .testTarget(
      name: "CodegenTests",
      dependencies: ["Codegen", "Domain", "InProcessPipeline", "Contracts", "ServiceKit", "Providers", "FakeModel"]
    ),
    // A local stand-in for a chat model's server, for the provider tests of Planner and Codegen.
    .target(
      name: "FakeModel",
      dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
      path: "Tests/FakeModel"
    ),
    .testTarget(
      name: "PolicyTests",
      dependencies: [
        "Policy", "Domain", "InProcessPipeline", "Contracts", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "PlannerTests",
      dependencies: [
        "Planner", "Domain", "Providers", "Contracts", "ServiceKit", "FakeModel",
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
      ],
      resources: [.copy("Fixtures")]
    ),
    .testTarget(
      name: "ServicesTests",
      dependencies: [
        "Contracts", "ServiceKit", "Domain", "Planner", "Critics", "Policy", "Codegen", "InProcessPipeline",
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ]
    ),
    .testTarget(
      name: "EdgeTests",
      dependencies: [
        "EdgeAPI", "EdgeRuntime", "ServiceKit", "TestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
      ]
    ),
    .target(
      name: "TestSupport",
      dependencies: ["EdgeAPI", "EdgeRuntime", "ServiceKit", .product(name: "PostgresNIO", package: "postgres-nio")],
      path: "Tests/TestSupport"
    ),
    .executableTarget(
      name: "TestWorker",
      dependencies: [
        "EdgeAPI", "EdgeRuntime", "ServiceKit", "TestSupport",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
      ],
      path: "Tests/TestWorker"
    ),
    .executableTarget(
      name: "ChildProcessProbe",
      dependencies: ["ServiceKit"],
      path: "Tests/ChildProcessProbe"
    ),
    .testTarget(
      name: "GoldenTests",
      dependencies: [
        "EdgeAPI", "EdgeRuntime", "Codegen", "Domain", "Planner", "Critics", "Policy", "Contracts", "ServiceKit", "TestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdTesting", package: "hummingbird"),
        .product(name: "GRPCCore", package: "grpc-swift-2"),
        .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      exclude: ["Snapshots"]
    ),
    .testTarget(
      name: "mlopsTests",
      dependencies: [
        "ServiceKit", "TestSupport", "EdgeAPI", "EdgeRuntime", "Contracts",
        .product(name: "PostgresNIO", package: "postgres-nio"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ]
    ),
  ]
)

// A warning in our own code fails the build: a clean build prints none.
for target in package.targets {
  target.swiftSettings = (target.swiftSettings ?? []) + [.treatAllWarnings(as: .error)]
}

// swift-tools-version:6.1
// Builds the two protoc plugins that scripts/generate-protos uses, from the package copies.
// Kept apart from the main package so its build never pulls in the generators.
import PackageDescription

let package = Package(
  name: "protoc-plugins",
  dependencies: [
    .package(url: "https://github.com/apple/swift-protobuf.git", exact: "1.39.0"),
    .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", exact: "2.4.1"),
  ]
)

// swift-tools-version:6.1
import PackageDescription

// One package, one folder per service. Each service keeps its logic in a `<Name>Core`
// library (so tests drive the real code) and a tiny `main`.
let package = Package(
    name: "blender-mcp",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mcp-front", targets: ["MCPFront"]),
        .executable(name: "session-broker", targets: ["SessionBroker"]),
        .executable(name: "blender-bridge", targets: ["BlenderBridge"]),
        .executable(name: "log-writer", targets: ["LogWriter"]),
        .executable(name: "prompt-service", targets: ["PromptService"]),
        .executable(name: "bmcp", targets: ["BMCP"]),
    ],
    dependencies: [
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk.git", exact: "0.12.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        // HMAC-SHA256 for the addon handshake and the dashboard's sign-in tickets.
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    targets: [
        // MARK: Shared
        .systemLibrary(
            name: "CZeroMQ",
            path: "Shared/CZeroMQ",
            providers: [.apt(["libzmq3-dev"]), .brew(["zeromq"])]
        ),
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"], path: "Shared/ZeroMQ"),
        .target(name: "BusMessages", path: "Shared/BusMessages"),
        .target(
            name: "ServiceKit",
            dependencies: [
                "ZeroMQ", "BusMessages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Shared/ServiceKit"
        ),

        // MARK: Services
        .target(
            name: "SessionBrokerCore",
            dependencies: ["ServiceKit", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Services/session-broker/Core"
        ),
        .executableTarget(name: "SessionBroker", dependencies: ["SessionBrokerCore"], path: "Services/session-broker/Main"),

        .target(name: "BlenderBridgeCore", dependencies: ["ServiceKit"], path: "Services/blender-bridge/Core"),
        .executableTarget(name: "BlenderBridge", dependencies: ["BlenderBridgeCore"], path: "Services/blender-bridge/Main"),

        .target(name: "LogWriterCore", dependencies: ["ServiceKit"], path: "Services/log-writer/Core"),
        .executableTarget(name: "LogWriter", dependencies: ["LogWriterCore"], path: "Services/log-writer/Main"),

        .target(
            name: "PromptServiceCore", dependencies: ["ServiceKit"], path: "Services/prompt-service/Core",
            resources: [.copy("Dictionary")]
        ),
        .executableTarget(name: "PromptService", dependencies: ["PromptServiceCore"], path: "Services/prompt-service/Main"),

        .target(
            name: "MCPFrontCore",
            dependencies: [
                "ServiceKit", .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            path: "Services/mcp-front/Core",
            resources: [.copy("Dashboard"), .copy("Tools/catalogue.json")]
        ),
        .executableTarget(name: "MCPFront", dependencies: ["MCPFrontCore"], path: "Services/mcp-front/Main"),

        .target(name: "BMCPCore", dependencies: ["ServiceKit"], path: "Services/bmcp/Core"),
        .executableTarget(name: "BMCP", dependencies: ["BMCPCore"], path: "Services/bmcp/Main"),

        // MARK: Benchmarks (driven by Tests/Benchmarks/run.py)
        .executableTarget(
            name: "broker-throughput", dependencies: ["SessionBrokerCore"], path: "Tests/Benchmarks/BrokerThroughput"),
        .executableTarget(name: "mcp-latency", dependencies: ["BusMessages", "ServiceKit"], path: "Tests/Benchmarks/MCPLatency"),

        // MARK: Tests
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "ServiceKit"]),
        .testTarget(name: "BusMessagesTests", dependencies: ["BusMessages"]),
        .testTarget(name: "ServiceKitTests", dependencies: ["ServiceKit"]),
        .testTarget(name: "SessionBrokerTests", dependencies: ["SessionBrokerCore"]),
        .testTarget(name: "BlenderBridgeTests", dependencies: ["BlenderBridgeCore"]),
        .testTarget(name: "MCPFrontTests", dependencies: ["MCPFrontCore"]),
        .testTarget(name: "PromptServiceTests", dependencies: ["PromptServiceCore"]),
        .testTarget(name: "LogWriterTests", dependencies: ["LogWriterCore"]),
    ],
    swiftLanguageModes: [.v6]
)

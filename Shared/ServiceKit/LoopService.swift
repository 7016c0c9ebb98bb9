import Foundation
import Logging
import ServiceLifecycle

extension SocketLoop {
    /// Runs the loop as the body of a swift-service-lifecycle `Service`: starts the thread,
    /// and on graceful shutdown (SIGTERM/SIGINT) or cancellation stops it and waits for its
    /// teardown.
    public func runUntilShutdown(_ setup: @escaping @Sendable (SocketLoop) throws -> Void) async throws {
        start(setup)
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await finished()
            } onGracefulShutdown: {
                self.stop()
            }
        } onCancel: {
            self.stop()
        }
    }
}

/// Runs one or more services until SIGTERM or SIGINT, the way every executable here does.
public enum ServiceRunner {
    public static func run(_ services: [any Service], logger: Logger) async throws {
        // Whatever a service (or a Blender `bmcp up` starts) creates is this user's alone:
        // folders 0700, files 0600, unless a caller asks for more on purpose.
        umask(0o077)
        try Settings.checkLimits()
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

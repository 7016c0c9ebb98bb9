import Foundation
import ServiceKit
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// mcp-front over HTTP (Hummingbird): MCP Streamable HTTP at `/mcp`, the JSON API under
/// `/api`, the dashboard at `/`.
public struct HTTPFront: Sendable {
    public struct Settings: Sendable {
        public var host: String
        public var port: Int
        /// Required on /mcp and /api when set (`HTTPAccess`); nil only when auth was turned
        /// off explicitly, which a non-loopback bind refuses.
        public var token: String?
        public var allowedOrigins: Set<String>
        /// Host names accepted besides loopback names and the bound address.
        public var allowedHosts: Set<String>
        public var maxBody: Int
        /// BMCP_HTTP_SESSIONS and BMCP_SSE_STREAMS (Limits.swift).
        public var maxSessions = ServiceKit.Settings.httpSessions.defaultCount
        public var maxStreams = ServiceKit.Settings.sseStreams.defaultCount
        /// BMCP_SSE_QUEUE_BYTES: unread bytes one stream may hold before it is ended.
        public var streamQueueBytes = ServiceKit.Settings.sseQueueBytes.defaultCount
        /// BMCP_SSE_REPLAY_BYTES: events each handshake-era MCP session keeps for resumption.
        public var replayBytes = ServiceKit.Settings.sseReplayBytes.defaultCount

        /// `host:port`, `[v6]:port` or `:port` (all interfaces are never implied: `:port` is loopback).
        public init(address: String, token: String?, allowedOrigins: Set<String>, allowedHosts: Set<String> = [],
                    maxBody: Int, trustedNetwork: Bool = false) throws {
            guard let split = address.lastIndex(of: ":"), let port = Int(address[address.index(after: split)...]),
                  (0...65535).contains(port) else {
                throw SettingsError("--http must be host:port (e.g. 127.0.0.1:8765), got '\(address)'")
            }
            var host = String(address[..<split])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            self.host = host.isEmpty ? "127.0.0.1" : host
            self.port = port
            self.token = token.flatMap { $0.isEmpty ? nil : $0 }
            self.allowedOrigins = allowedOrigins
            var hosts = Set(allowedHosts.map { $0.lowercased() })
            let bound = self.host.lowercased()
            if bound != "0.0.0.0", bound != "::" { hosts.insert(bound) }
            self.allowedHosts = hosts
            self.maxBody = maxBody
            if !isLoopback, self.token == nil, !trustedNetwork {
                throw SettingsError("--http \(address) listens beyond this machine with auth off: remove --http-auth off (the token is then required), "
                                    + "or say --trusted-network 1 when only a loopback-published container port reaches it")
            }
        }

        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }
    }

    public struct SettingsError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    let settings: Settings
    let backend: MCPBackend
    let logger: Logger

    func run() async throws {
        let sessions = MCPHTTPSessions(backend: backend, logger: logger, maxSessions: settings.maxSessions, replayBytes: settings.replayBytes)
        let streams = SSEStreams(limit: settings.maxStreams, queueLimit: settings.streamQueueBytes)
        let router = Router()
        let maxBody = settings.maxBody
        let routeMethods = RouteMethods()
        router.add(middleware: AccessMiddleware(
            access: HTTPAccess(token: settings.token, allowedOrigins: settings.allowedOrigins, allowedHosts: settings.allowedHosts),
            maxBody: maxBody, routes: routeMethods))
        // Every route below is recorded as it is declared (405 with Allow for other methods).
        let routes = RecordingRouter(parent: router, methods: routeMethods)
        DashboardLogin(token: settings.token).register(on: routes)
        let modern = ModernHTTPExchange(requests: ModernRequests(backend: backend), streams: streams, token: settings.token)
        for method in [HTTPRequest.Method.post, .get, .delete] {
            routes.on("mcp", method: method) { request, _ in
                // Every GET and POST here may answer with a stream: refused whole, before any work.
                if method != .delete, let full = streams.refusal() { return full }
                let body = method == .post ? Data(buffer: try await request.body.collect(upTo: maxBody)) : nil
                // 2026-07-28 requests carry their version in the body and no MCP session:
                // ours to answer. Handshake-era traffic goes to the SDK's session transport.
                if let body, request.headers[HTTPField.Name("Mcp-Session-Id")!] == nil, let message = ModernHTTPExchange.claims(body) {
                    return await modern.respond(message, request: request)
                }
                return MCPHTTPBridge.response(await sessions.handle(MCPHTTPBridge.request(request, body: body)), streams: streams)
            }
        }
        HTTPAPI(backend: backend, streams: streams, maxBody: maxBody).register(on: routes)
        DashboardFiles.register(on: routes)

        let logger = logger
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "blender-mcp"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                let url = "http://\(channel.localAddress?.ipAddress ?? "127.0.0.1"):\(port)"
                // A line launchers and tests wait for; the port is the real one when 0 was asked.
                FileHandle.standardError.write(Data("BMCP_HTTP_READY \(url)\n".utf8))
                logger.info("mcp-front serving MCP at \(url)/mcp, the API at \(url)/api and the dashboard at \(url)/")
            },
            logger: logger)
        let sweeper = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
                await sessions.sweep()
            }
        }
        defer { sweeper.cancel() }
        // Open SSE streams would hold a graceful shutdown forever: end them first.
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            streams.finishAll()
            Task { await sessions.endAll() }
        }
        await sessions.endAll()
    }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}

import BusMessages
import Foundation

/// A service's query socket for async code (mcp-front's tool handlers, `bmcp call`): a
/// `RequestLink` on its own `SocketLoop` thread. Callers hand requests over with `post` and are resumed from
/// that thread when the answer arrives, so many calls can be in flight over the one socket.
public final class RequestClient: @unchecked Sendable {
    public let endpoint: String
    public let peer: String
    private let loop: SocketLoop
    /// Set once by the loop's setup, then used only on the loop thread.
    private var link: RequestLink?
    /// Why the link could not be made (bad endpoint, missing keys), for every caller's error.
    private var setupError: String?

    public init(endpoint: String, peer: String = "session-broker") throws {
        self.endpoint = endpoint
        self.peer = peer
        loop = try SocketLoop(name: "\(peer)-client")
        loop.start { [self] loop in
            do {
                let link = try RequestLink(loop: loop, endpoint: endpoint, peer: peer)
                self.link = link
                loop.keep(link)
            } catch {
                // Keep serving, so each request is told why instead of hanging.
                setupError = "\(error)"
                loop.logger.error("cannot open the connection to \(peer): \(error)")
            }
        }
    }

    /// Sends `request` and returns the broker's answer: a `.reply` or an `.error` envelope.
    /// Throws a `BusError` when no answer can come (broker unreachable, timeout).
    public func send(_ request: Envelope, timeout: Duration) async throws -> Envelope {
        try await withCheckedThrowingContinuation { (waiter: CheckedContinuation<Envelope, Error>) in
            let peer = peer
            let posted = loop.post { [self] in
                guard let link else {
                    waiter.resume(throwing: BusError(code: ErrorCode.brokerUnreachable, message: "the connection to \(peer) could not be opened: \(self.setupError ?? "unknown reason")"))
                    return
                }
                link.send(request, timeout: timeout) { waiter.resume(with: $0.mapError { $0 as Error }) }
            }
            if !posted {
                waiter.resume(throwing: BusError(code: ErrorCode.shuttingDown, message: "the connection to \(peer) is closed"))
            }
        }
    }

    /// Ends the socket thread; callers still waiting get a `shutting_down` error.
    public func shutdown() async {
        loop.stop()
        try? await loop.finished()
    }
}

import Foundation
import Testing
import ServiceKit
@testable import ZeroMQ

/// Each socket pattern the services rely on, over tcp and ipc, with real libzmq sockets.
@Suite struct SocketPatternTests {
    static let transports = ["tcp", "ipc"]

    static func endpoint(_ transport: String) -> String {
        transport == "tcp" ? "tcp://127.0.0.1:*" : "ipc:///tmp/bmcp-test-\(UUID().uuidString.prefix(8)).sock"
    }

    @Test(arguments: transports)
    func requestReply(transport: String) throws {
        let context = try Context()
        let rep = try context.socket(.rep)
        try rep.bind(Self.endpoint(transport))
        let req = try context.socket(.req)
        try req.set(.receiveTimeout(milliseconds: 5000))
        try rep.set(.receiveTimeout(milliseconds: 5000))
        try req.connect(rep.lastEndpoint)

        try req.send(Data("ping".utf8))
        #expect(try rep.receive() == [Data("ping".utf8)])
        try rep.send(Data("pong".utf8))
        #expect(try req.receive() == [Data("pong".utf8)])
    }

    @Test(arguments: transports)
    func dealerRouterKeepsRoutingIdentity(transport: String) throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.set(.receiveTimeout(milliseconds: 5000))
        try router.bind(Self.endpoint(transport))
        let dealer = try context.socket(.dealer)
        try dealer.set(.routingID(Data("bridge-a".utf8)))
        try dealer.set(.receiveTimeout(milliseconds: 5000))
        try dealer.connect(router.lastEndpoint)

        try dealer.send([Data("one".utf8), Data("two".utf8)])
        let frames = try #require(try router.receive())
        #expect(frames == [Data("bridge-a".utf8), Data("one".utf8), Data("two".utf8)])
        try router.send([frames[0], Data("back".utf8)])
        #expect(try dealer.receive() == [Data("back".utf8)])
    }

    @Test func routerMandatoryFailsForUnknownPeer() throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.set(.routerMandatory(true))
        try router.bind("tcp://127.0.0.1:*")
        #expect(throws: ZeroMQError.self) {
            try router.send([Data("nobody".utf8), Data("hello".utf8)], dontWait: true)
        }
        do {
            try router.send([Data("nobody".utf8), Data("hello".utf8)], dontWait: true)
        } catch let error as ZeroMQError {
            #expect(error.isHostUnreachable)
            #expect(error.description.contains("ROUTER"))
        }
    }

    @Test(arguments: transports)
    func publishSubscribeFiltersByPrefix(transport: String) throws {
        let context = try Context()
        let pub = try context.socket(.pub)
        try pub.bind(Self.endpoint(transport))
        let sub = try context.socket(.sub)
        try sub.set(.subscribe(Data("session/".utf8)))
        try sub.set(.receiveTimeout(milliseconds: 200))
        try sub.connect(pub.lastEndpoint)

        // Subscriptions propagate asynchronously: publish until the first one arrives.
        var received: [Data]?
        for _ in 0..<50 where received == nil {
            try pub.send([Data("service/x".utf8), Data("skip".utf8)])
            try pub.send([Data("session/a".utf8), Data("keep".utf8)])
            received = try sub.receive()
        }
        #expect(received == [Data("session/a".utf8), Data("keep".utf8)])
    }

    @Test(arguments: transports)
    func xpubXsubProxyForwardsBothWays(transport: String) throws {
        let context = try Context()
        let xsub = try context.socket(.xsub)
        try xsub.bind(Self.endpoint(transport))
        let xpub = try context.socket(.xpub)
        try xpub.bind(Self.endpoint(transport))
        let publisher = try context.socket(.pub)
        try publisher.connect(xsub.lastEndpoint)
        let subscriber = try context.socket(.sub)
        try subscriber.set(.subscribe(Data()))
        try subscriber.connect(xpub.lastEndpoint)

        // The subscription travels subscriber → XPUB → (us) → XSUB → publisher.
        try xpub.set(.receiveTimeout(milliseconds: 5000))
        let subscription = try #require(try xpub.receive())
        #expect(subscription.first?.first == 1)
        try xsub.send(subscription)

        try xsub.set(.receiveTimeout(milliseconds: 100))
        try subscriber.set(.receiveTimeout(milliseconds: 100))
        var delivered: [Data]?
        for _ in 0..<50 where delivered == nil {
            try publisher.send([Data("topic".utf8), Data("event".utf8)])
            if let frames = try xsub.receive() { try xpub.send(frames) }
            delivered = try subscriber.receive()
        }
        #expect(delivered == [Data("topic".utf8), Data("event".utf8)])
    }

    @Test func multipartEmptyAndLargeFrames() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://frames")
        let push = try context.socket(.push)
        try push.connect("inproc://frames")
        let large = Data(repeating: 0xAB, count: 4 * 1024 * 1024)
        try push.send([Data(), large, Data("end".utf8)])
        #expect(try pull.receive() == [Data(), large, Data("end".utf8)])
    }

    @Test func dontWaitReturnsNilWhenEmpty() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://empty")
        #expect(try pull.receive(dontWait: true) == nil)
    }

    @Test func oversizedMessageIsDroppedWithItsConnection() throws {
        let context = try Context()
        let router = try context.socket(.router)
        try router.set(.maxMessageSize(1024))
        try router.set(.receiveTimeout(milliseconds: 300))
        try router.bind("tcp://127.0.0.1:*")
        let dealer = try context.socket(.dealer)
        try dealer.connect(router.lastEndpoint)
        try dealer.send(Data(repeating: 1, count: 4096))
        #expect(try router.receive() == nil)
    }

    @Test func errorsNameTheOperation() throws {
        let context = try Context()
        let socket = try context.socket(.rep)
        do {
            try socket.bind("nonsense://here")
            Issue.record("bind to a bogus endpoint succeeded")
        } catch let error as ZeroMQError {
            #expect(error.description.contains("bind REP to nonsense://here"))
            #expect(!error.message.isEmpty)
        }
    }

    @Test func pollReportsReadableSocketsAndDescriptors() throws {
        let context = try Context()
        let pull = try context.socket(.pull)
        try pull.bind("inproc://poll")
        let push = try context.socket(.push)
        try push.connect("inproc://poll")
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }

        var ready = try Poller().poll([.socket(pull, .readable), .fileDescriptor(fds[0], .readable)], timeoutMilliseconds: 0)
        #expect(ready == [[], []])
        try push.send(Data("x".utf8))
        var byte: UInt8 = 1
        #expect(write(fds[1], &byte, 1) == 1)
        ready = try Poller().poll([.socket(pull, .readable), .fileDescriptor(fds[0], .readable)], timeoutMilliseconds: 1000)
        #expect(ready[0].contains(.readable))
        #expect(ready[1].contains(.readable))
    }

    @Test func contextShutdownUnblocksAReceive() async throws {
        let context = try Context()
        let finished = Task { try await DedicatedThread.run {
            do {
                // Either the receive or (if shutdown came first) the socket's creation ends in ETERM.
                let socket = try context.socket(.pull)
                try socket.bind("inproc://blocked")
                _ = try socket.receive()
                return false
            } catch let error as ZeroMQError {
                return error.isTerminated
            }
        } }
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        #expect(try await finished.value == true)
    }
}

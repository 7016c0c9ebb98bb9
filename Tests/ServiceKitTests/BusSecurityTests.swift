import BusMessages
import Foundation
import Testing
@testable import ServiceKit
import ZeroMQ

/// The bus's security over real libzmq sockets: CURVE with ZAP on tcp://, private folders for
/// ipc://. Attackers here are plain sockets, as a local process or another host would use.
@Suite struct BusSecurityTests {
    /// A keys folder with the server pair and one allow-listed client pair.
    static func keys() throws -> BusKeys {
        let keys = BusKeys(directory: "/tmp/bmcp-keys-test-\(RandomID.hex(8))")
        try keys.createMissing(clientName: "test-client")
        return keys
    }

    /// A broker-like ROUTER on a loop, bound securely, answering "pong" to anything.
    static func server(keys: BusKeys) throws -> (loop: SocketLoop, endpoint: String) {
        let loop = try SocketLoop(name: "curve-server", security: BusSecurity(keys: keys))
        let bound = Locked<String?>(nil)
        loop.start { loop in
            let router = try loop.makeSocket(.router)
            try loop.bind(router, to: "tcp://127.0.0.1:*")
            bound.set(router.lastEndpoint)
            loop.watch(router) {
                while let frames = try router.receive(dontWait: true) {
                    try router.send([frames[0], Data("pong".utf8)])
                }
            }
        }
        let deadline = Date().addingTimeInterval(10)
        while bound.get() == nil, Date() < deadline { usleep(10_000) }
        return (loop, try #require(bound.get()))
    }

    /// Sends "ping" from `dealer` and waits up to `seconds` for an answer.
    static func answered(_ dealer: Socket, seconds: Int32 = 1) throws -> Bool {
        try dealer.set(.receiveTimeout(milliseconds: seconds * 1000))
        try dealer.set(.sendTimeout(milliseconds: seconds * 1000))
        _ = try? dealer.send(Data("ping".utf8))
        return (try? dealer.receive()) != nil
    }

    @Test func anAllowListedClientIsServedAndStrangersAreRefused() throws {
        let keys = try Self.keys()
        let (loop, endpoint) = try Self.server(keys: keys)
        defer { loop.stop() }
        let context = try Context()

        let friend = try context.socket(.dealer)
        let credentials = try keys.clientCredentials()
        try friend.set(.curveClient(serverKey: credentials.server, keyPair: credentials.client))
        try friend.connect(endpoint)
        #expect(try Self.answered(friend, seconds: 5))

        let plain = try context.socket(.dealer)  // no CURVE at all: the handshake cannot even start
        try plain.connect(endpoint)
        #expect(try !Self.answered(plain))

        let stranger = try context.socket(.dealer)  // CURVE with a key nobody allow-listed
        try stranger.set(.curveClient(serverKey: credentials.server, keyPair: try CurveKeyPair.generate()))
        try stranger.connect(endpoint)
        #expect(try !Self.answered(stranger))

        // Allow-listing takes effect without a restart.
        let newcomer = try CurveKeyPair.generate()
        try keys.authorize(newcomer.publicKey, name: "newcomer")
        let later = try context.socket(.dealer)
        try later.set(.curveClient(serverKey: credentials.server, keyPair: newcomer))
        try later.connect(endpoint)
        #expect(try Self.answered(later, seconds: 5))
    }

    @Test func tcpWithoutKeysFailsWithWhatToRun() throws {
        let loop = try SocketLoop(name: "no-keys", security: BusSecurity(keys: BusKeys(directory: "/tmp/bmcp-no-keys-\(RandomID.hex(8))")))
        loop.start { loop in
            let router = try loop.makeSocket(.router)
            try loop.bind(router, to: "tcp://127.0.0.1:*")
        }
        let failure = Locked<String?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await loop.finished() } catch { failure.set("\(error)") }
            done.signal()
        }
        done.wait()
        let message = try #require(failure.get())
        #expect(message.contains("bmcp keys") && message.contains("tcp://127.0.0.1:*"), "\(message)")
    }

    @Test func ipcSocketsGoInAPrivateFolderAndOpenFoldersAreRefused() throws {
        let folder = "/tmp/bmcp-ipc-test-\(RandomID.hex(8))"
        let security = BusSecurity(keys: BusKeys(directory: folder + "/keys"))
        let loop = try SocketLoop(name: "ipc", security: security)
        let context = loop.context
        let socket = try context.socket(.router)
        try security.prepareServer(socket, endpoint: "ipc://\(folder)/run/clients", loop: loop)
        var info = stat()
        #expect(lstat(folder + "/run", &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)

        let open = folder + "/open"
        try FileManager.default.createDirectory(atPath: open, withIntermediateDirectories: true)
        chmod(open, 0o755)
        #expect(throws: BusSecurity.Refusal.self) { try security.prepareServer(socket, endpoint: "ipc://\(open)/clients", loop: loop) }
        #expect(throws: BusSecurity.Refusal.self) { try security.prepareClient(socket, endpoint: "ipc://\(open)/clients") }
        // /tmp itself is shared (sticky): refused, and never changed.
        #expect(throws: BusSecurity.Refusal.self) { try security.prepareServer(socket, endpoint: "ipc:///tmp/bmcp-in-tmp", loop: loop) }
        #expect(lstat("/tmp", &info) == 0 && info.st_mode & 0o1777 == 0o1777)
    }

    @Test func secretsAre0600AndRefusedWhenOthersCanReadThem() throws {
        let folder = "/tmp/bmcp-secret-test-\(RandomID.hex(8))"
        let path = folder + "/secrets/token"
        let first = try SecretFile.loadOrCreate(path)
        #expect(first.count == 43)
        #expect(try SecretFile.loadOrCreate(path) == first)
        var info = stat()
        #expect(lstat(path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(lstat(folder + "/secrets", &info) == 0 && info.st_mode & 0o777 == 0o700)

        chmod(path, 0o644)
        #expect(throws: SecretFile.Refusal.self) { try SecretFile.read(path) }
        chmod(path, 0o600)
        let link = folder + "/secrets/link"
        symlink(path, link)
        #expect(throws: SecretFile.Refusal.self) { try SecretFile.read(link) }
    }

    @Test func dashboardTicketsCheckSignatureAndExpiry() throws {
        let ticket = DashboardTicket.mint(token: "t0ken")
        guard case .valid = DashboardTicket.check(ticket, token: "t0ken") else { Issue.record("a fresh ticket must be valid"); return }
        #expect(DashboardTicket.check(ticket, token: "other") == .invalid("this sign-in link was not made with this server's token"))
        let old = DashboardTicket.mint(token: "t0ken", now: Date().addingTimeInterval(-3600))
        guard case .invalid(let reason) = DashboardTicket.check(old, token: "t0ken") else { Issue.record("an old ticket must be refused"); return }
        #expect(reason.contains("expired"))
        guard case .invalid = DashboardTicket.check("1.2.3", token: "t0ken") else { Issue.record("junk must be refused"); return }
    }

    @Test func hmacMatchesAKnownVector() {
        // RFC 4231, test case 2.
        #expect(MessageAuthentication.hmacHex(key: "Jefe", message: "what do ya want for nothing?")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(MessageAuthentication.constantTimeEqual("abc", "abc"))
        #expect(!MessageAuthentication.constantTimeEqual("abc", "abd"))
        #expect(!MessageAuthentication.constantTimeEqual("abc", "abcd"))
    }

    @Test func addonHandshakeProofsMatchTheAddonsVectors() {
        // The same vectors as Addon/tests/test_handshake_units.py (computed there with openssl).
        let client = String(repeating: "0123456789abcdef", count: 4), server = String(repeating: "fedcba9876543210", count: 4)
        #expect(AddonHandshake.addonProof(token: "s3cret-tøken", clientNonce: client, serverNonce: server, port: 9876)
                == "f8ee16b4887e2d37221f483caab7cb381f569ff03a8207c207f4d3e7d7518a74")
        #expect(AddonHandshake.bridgeProof(token: "s3cret-tøken", clientNonce: client, serverNonce: server, port: 9876)
                == "1aca78e02426a185c9a8efa3418be0b22ea3bc3011b67b39c2534f41905c6e66")
        #expect(!AddonHandshake.verifyAddonProof("f8ee16b4887e2d37221f483caab7cb381f569ff03a8207c207f4d3e7d7518a74",
                                                 token: "s3cret-tøken", clientNonce: client, serverNonce: server, port: 9877))
    }

    @Test func curveKeysRoundTripThroughZ85AndNeverPrint() throws {
        let pair = try CurveKeyPair.generate()
        #expect(CurveKey(z85: pair.secretKey.z85) == pair.secretKey)
        #expect(try CurveKeyPair.from(secretKey: pair.secretKey).publicKey == pair.publicKey)
        #expect(!"\(pair.secretKey)".contains(pair.secretKey.z85))
        #expect(CurveKey(z85: "too short") == nil)
        #expect(Curve.isAvailable)
    }
}

/// A value shared with the loop thread in a test.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
}

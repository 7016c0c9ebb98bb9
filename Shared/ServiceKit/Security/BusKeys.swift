import Foundation
import ZeroMQ

/// The CURVE keys of one installation, as files in the keys folder (`BMCP_KEYS`, 0700):
///
/// - `server.key` / `server.pub`: the bus servers' pair (broker, log-writer, prompt-service
///   share it); clients are given `server.pub`.
/// - `client.key` / `client.pub`: this host's client pair (bridges, mcp-fronts, log-writer,
///   prompt-service connect with it).
/// - `authorized_clients`: one Z85 public key a line, optionally followed by a name; servers
///   accept only these (like ssh's authorized_keys). `#` starts a comment.
///
/// Secret files are 0600 and refused when others can read them (`SecretFile`).
public struct BusKeys: Sendable {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var serverSecretPath: String { directory + "/server.key" }
    public var serverPublicPath: String { directory + "/server.pub" }
    public var clientSecretPath: String { directory + "/client.key" }
    public var clientPublicPath: String { directory + "/client.pub" }
    public var authorizedPath: String { directory + "/authorized_clients" }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The server pair, for binding a tcp:// endpoint.
    public func serverPair() throws -> CurveKeyPair {
        try pair(secretPath: serverSecretPath, role: "server")
    }

    /// What a client connecting over tcp:// needs: the servers' public key and its own pair.
    public func clientCredentials() throws -> (server: CurveKey, client: CurveKeyPair) {
        try checkFolder()
        guard let text = try? SecretFile.readTrusted(serverPublicPath) else {
            throw Missing(description: "no bus server key at \(serverPublicPath): tcp:// endpoints use CURVE; run `bmcp keys` (or copy the broker host's server.pub there)")
        }
        guard let server = CurveKey(z85: text) else {
            throw Missing(description: "\(serverPublicPath) does not hold a 40-character Z85 CURVE key")
        }
        return (server, try pair(secretPath: clientSecretPath, role: "client"))
    }

    /// The allow-listed client keys with their names; none if the folder or the file could
    /// have been changed by someone else.
    public func authorizedClients() -> [CurveKey: String] {
        guard (try? checkFolder()) != nil, let text = try? SecretFile.readTrusted(authorizedPath) else { return [:] }
        var keys: [CurveKey: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let first = fields.first, !first.hasPrefix("#"), let key = CurveKey(z85: first) else { continue }
            keys[key] = fields.count > 1 ? fields[1].trimmingCharacters(in: .whitespaces) : "unnamed"
        }
        return keys
    }

    /// Makes whatever pair is missing, and allow-lists this host's own client key. Returns the
    /// files it created.
    @discardableResult
    public func createMissing(clientName: String = "local") throws -> [String] {
        var created = try makePairIfMissing(secretPath: serverSecretPath, publicPath: serverPublicPath)
        created += try createClientPair()
        let own = try pair(secretPath: clientSecretPath, role: "client").publicKey
        if authorizedClients()[own] == nil {
            try authorize(own, name: clientName)
            created.append(authorizedPath)
        }
        return created
    }

    /// Makes only this host's client pair (a host that talks to a broker elsewhere).
    @discardableResult
    public func createClientPair() throws -> [String] {
        try makePairIfMissing(secretPath: clientSecretPath, publicPath: clientPublicPath)
    }

    private func makePairIfMissing(secretPath: String, publicPath: String) throws -> [String] {
        try PrivateDirectory.prepare(directory)
        guard try SecretFile.read(secretPath) == nil else { return [] }
        let pair = try CurveKeyPair.generate()
        try SecretFile.write(pair.secretKey.z85, to: secretPath, exclusive: true)
        try (pair.publicKey.z85 + "\n").write(toFile: publicPath, atomically: true, encoding: .utf8)
        return [secretPath, publicPath]
    }

    /// Adds `key` to `authorized_clients`.
    public func authorize(_ key: CurveKey, name: String) throws {
        let existing = (try? String(contentsOfFile: authorizedPath, encoding: .utf8)) ?? ""
        let line = "\(key.z85) \(name.replacingOccurrences(of: "\n", with: " "))\n"
        let text = existing.isEmpty || existing.hasSuffix("\n") ? existing + line : existing + "\n" + line
        try SecretFile.write(text, to: authorizedPath, exclusive: false)
    }

    /// The keys folder must be this user's alone: whoever can write in it could swap the
    /// server's public key or allow-list themselves.
    private func checkFolder() throws {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw Missing(description: "no CURVE keys: the keys folder \(directory) does not exist; tcp:// endpoints use CURVE, run `bmcp keys` (folder: BMCP_KEYS or --keys)")
        }
        do {
            try PrivateDirectory.check(directory)
        } catch {
            throw Missing(description: "keys folder: \(error)")
        }
    }

    private func pair(secretPath: String, role: String) throws -> CurveKeyPair {
        try checkFolder()
        guard let text = try SecretFile.read(secretPath) else {
            throw Missing(description: "no CURVE \(role) key at \(secretPath): tcp:// endpoints use CURVE; run `bmcp keys` (folder: BMCP_KEYS or --keys)")
        }
        guard let secret = CurveKey(z85: text) else {
            throw Missing(description: "\(secretPath) does not hold a 40-character Z85 CURVE key")
        }
        return try CurveKeyPair.from(secretKey: secret)
    }
}

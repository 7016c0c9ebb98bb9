import ArgumentParser
import Foundation
import ServiceKit
import ZeroMQ

/// `bmcp keys`: the bus's CURVE keys, for tcp:// endpoints (across hosts, containers).
struct KeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Make the bus's CURVE keys (any missing ones), allow-list clients, print public keys.",
        discussion: """
        One machine needs none of this: the default endpoints are ipc:// sockets in a folder only you can enter.
        Every tcp:// endpoint uses CURVE: servers (broker, log-writer, prompt-service) prove server.key and accept only
        the client keys in authorized_clients; clients need server.pub and their own client.key.
        Across hosts: run `bmcp keys` on the broker host, copy server.pub to each other host's keys folder, run
        `bmcp keys --client-only` there, and on the broker host `bmcp keys --authorize <that host's client.pub> --name <host>`.
        """)

    @Option(name: .customLong(Settings.keys.flag), help: Settings.keys.help)
    var keys: String?
    @OptionGroup var data: DataOptions
    @Flag(help: "Make only this host's client pair (the server key comes from the broker host)")
    var clientOnly = false
    @Option(help: "Allow-list this client public key (Z85, 40 characters)")
    var authorize: String?
    @Option(help: "Name written beside an allow-listed key, shown in the broker's log")
    var name: String = "client"

    func run() throws {
        try Curve.requireAvailable()
        let folder = keys ?? Settings.keys.explicit(nil) ?? data.directory + "/keys"
        let store = BusKeys(directory: folder)
        if let authorize {
            guard let key = CurveKey(z85: authorize) else {
                throw ValidationError("--authorize needs a 40-character Z85 CURVE public key (a client.pub), got \(authorize.count) characters")
            }
            try store.authorize(key, name: name)
            print("allow-listed \(key.z85) as '\(name)' in \(store.authorizedPath)")
            return
        }
        let created = try clientOnly ? store.createClientPair() : store.createMissing()
        for path in created { print("made \(path)") }
        if FileManager.default.fileExists(atPath: store.serverPublicPath) {
            print("server public key (give to clients as server.pub): \((try? String(contentsOfFile: store.serverPublicPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")")
        }
        print("client public key (allow-list it on the broker host): \((try? String(contentsOfFile: store.clientPublicPath, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")")
        print("keys folder: \(folder) (set BMCP_KEYS to it for the services)")
    }
}

import ArgumentParser
import Foundation
import ServiceKit

/// `bmcp dashboard`: a fresh one-time sign-in link for the dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Print a one-time link that signs a browser in to the dashboard (valid 10 minutes, once).")

    @OptionGroup var data: DataOptions
    @Option(name: .customLong(Settings.tokenFile.flag), help: Settings.tokenFile.help)
    var tokenFile: String?
    @Option(name: .customLong(Settings.http.flag), help: "Address mcp-front serves HTTP on (env BMCP_HTTP; default 127.0.0.1:8765)")
    var http: String?

    func run() throws {
        // The token mcp-front checks against: BMCP_TOKEN when set, else the token file.
        let path = Settings.tokenFilePath(flag: tokenFile, data: data.directory)
        guard let token = try Settings.token.explicit(nil) ?? SecretFile.read(path) else {
            throw ValidationError("no HTTP token at \(path): start the system with `bmcp up` first (it makes one)")
        }
        print(DashboardLink.url(http: Settings.http.resolve(http), token: token))
    }
}

/// The dashboard's sign-in URL for an `--http` address.
enum DashboardLink {
    static func url(http: String, token: String) -> String {
        var address = http
        if address.hasPrefix(":") { address = "127.0.0.1" + address }
        if address.hasPrefix("0.0.0.0:") { address = "127.0.0.1" + address.dropFirst("0.0.0.0".count) }
        return "http://\(address)/login?ticket=\(DashboardTicket.mint(token: token))"
    }
}

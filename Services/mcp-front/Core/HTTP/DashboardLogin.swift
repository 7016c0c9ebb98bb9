import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// `GET /login?ticket=…`: trades a one-time `DashboardTicket` for the dashboard's cookie
/// (HttpOnly, so no script reads it; SameSite=Strict, so no other site's page sends it) and
/// sends the browser to `/`, leaving no secret in the address bar.
final class DashboardLogin: Sendable {
    private let token: String?
    /// Tickets already used, with their expiry, so each signs in once (pruned as they expire).
    private let used = ExpiringSet()

    init(token: String?) {
        self.token = token
    }

    func register<Context: RequestContext>(on router: some RouterMethods<Context>) {
        router.get("login") { [self] request, _ in try self.signIn(request) }
    }

    func signIn(_ request: Request) throws -> Response {
        guard let token else { return Self.redirect(cookie: nil) }  // auth is off: nothing to sign in to
        guard let ticket = request.uri.queryParameters.get("ticket") else {
            throw APIError(.badRequest, code: "ticket_required", "open the sign-in link `bmcp up` printed, or run `bmcp dashboard` for a new one")
        }
        switch DashboardTicket.check(ticket, token: token) {
        case .invalid(let reason):
            throw APIError(.unauthorized, code: "ticket_invalid", reason)
        case .valid(let nonce, let expiry):
            guard used.insert(nonce, until: expiry) else {
                throw APIError(.unauthorized, code: "ticket_used", "this sign-in link was used already: run `bmcp dashboard` for a new one")
            }
            return Self.redirect(cookie: "\(DashboardTicket.cookieName)=\(DashboardTicket.cookieValue(token: token)); HttpOnly; SameSite=Strict; Path=/; Max-Age=2592000")
        }
    }

    private static func redirect(cookie: String?) -> Response {
        var headers = HTTPFields()
        headers[.location] = "/"
        headers[.cacheControl] = "no-store"
        if let cookie { headers[.setCookie] = cookie }
        return Response(status: .seeOther, headers: headers)
    }
}

/// A set of strings, each kept until its expiry; safe from any task.
final class ExpiringSet: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: Date] = [:]

    /// False when `value` is already there (and not expired).
    func insert(_ value: String, until expiry: Date) -> Bool {
        lock.withLock {
            let now = Date()
            entries = entries.filter { $0.value > now }
            return entries.updateValue(expiry, forKey: value) == nil
        }
    }
}

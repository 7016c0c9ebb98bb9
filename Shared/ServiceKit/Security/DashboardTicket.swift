import BusMessages
import Foundation

/// A one-time sign-in link for the dashboard. Whoever holds the HTTP token mints one
/// (`bmcp up` prints it, `bmcp dashboard` makes a new one); mcp-front checks it against the
/// same token, accepts it once, and answers with an HttpOnly, SameSite=Strict cookie, so the
/// token itself never sits in a URL, a browser's history or a page's script.
///
/// Form: `<expiry unix seconds>.<nonce hex>.<HMAC-SHA256(token, "bmcp-dashboard-ticket\n" + expiry + "\n" + nonce)>`.
/// Stateless, so any mcp-front replica can check it; single use is kept per replica.
public enum DashboardTicket {
    public static let lifetime: TimeInterval = 600

    public static func mint(token: String, now: Date = Date()) -> String {
        let expiry = String(Int(now.timeIntervalSince1970 + lifetime))
        let nonce = RandomID.hex(32)
        return "\(expiry).\(nonce).\(MessageAuthentication.hmacHex(key: token, message: message(expiry, nonce)))"
    }

    public enum Verdict: Equatable {
        case valid(nonce: String, expiry: Date)
        case invalid(String)
    }

    public static func check(_ ticket: String, token: String, now: Date = Date()) -> Verdict {
        let parts = ticket.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let expiry = Int(parts[0]), parts[1].count == 32 else {
            return .invalid("this sign-in link is malformed")
        }
        let expected = MessageAuthentication.hmacHex(key: token, message: message(parts[0], parts[1]))
        guard MessageAuthentication.constantTimeEqual(expected, parts[2]) else {
            return .invalid("this sign-in link was not made with this server's token")
        }
        let expiryDate = Date(timeIntervalSince1970: TimeInterval(expiry))
        guard expiryDate > now else { return .invalid("this sign-in link has expired: run `bmcp dashboard` for a new one") }
        return .valid(nonce: parts[1], expiry: expiryDate)
    }

    /// The cookie value a signed-in browser presents: derived from the token, so every
    /// replica recognises it and a new token signs everyone out.
    public static func cookieValue(token: String) -> String {
        MessageAuthentication.hmacHex(key: token, message: "bmcp-dashboard-cookie")
    }

    public static let cookieName = "bmcp_dashboard"

    private static func message(_ expiry: String, _ nonce: String) -> String {
        "bmcp-dashboard-ticket\n\(expiry)\n\(nonce)"
    }
}

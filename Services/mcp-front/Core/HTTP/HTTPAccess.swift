import Foundation
import ServiceKit
import HTTPTypes
import Hummingbird

/// Who may talk to mcp-front over HTTP, checked before any route (MCP included):
///
/// 1. `Host` must be one of our names: a loopback name, the bound address, or one listed in
///    `BMCP_ALLOWED_HOSTS`. A DNS-rebinding page reaches 127.0.0.1 under its own name, and
///    this is where it stops.
/// 2. A browser's `Origin` must be our own origin (scheme, host and port, as the request's
///    `Host` names it) or listed in `BMCP_ALLOWED_ORIGINS`.
/// 3. Unless auth is off, everything but the dashboard's static files and `/login` needs the
///    token: `Authorization: Bearer` anywhere, or on `/api` the dashboard's cookie (set by a
///    one-time `/login` link, `DashboardTicket`). Never a token in a URL.
struct HTTPAccess: Sendable {
    /// nil: auth is off (said explicitly with `--http-auth off`).
    let token: String?
    let allowedOrigins: Set<String>
    /// Lowercased host names, without port, besides the loopback names.
    let allowedHosts: Set<String>

    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1"]

    func refusal(for request: Request) -> APIError? {
        let authority = request.head.authority
        guard let authority, let host = Self.hostName(authority), hostAllowed(host) else {
            return APIError(.misdirectedRequest, code: "host_not_allowed",
                            "Host '\(authority ?? "(none)")' is not a name of this server: only loopback names, the bound address, or those in BMCP_ALLOWED_HOSTS")
        }
        if let origin = request.headers[.origin], !originAllowed(origin, authority: authority) {
            return APIError(.forbidden, code: "origin_not_allowed",
                            "Origin '\(origin)' is not allowed: only this server's own origin (http://\(authority)) or those in BMCP_ALLOWED_ORIGINS")
        }
        let path = request.uri.path
        guard let token, !Self.isPublic(path) else { return nil }
        if let given = bearer(request) {
            return MessageAuthentication.constantTimeEqual(given, token) ? nil
                : APIError(.unauthorized, code: "token_wrong", "the bearer token is not this server's (BMCP_TOKEN or its token file)")
        }
        if path.hasPrefix("/api/"), let cookie = cookie(request, named: DashboardTicket.cookieName),
           MessageAuthentication.constantTimeEqual(cookie, DashboardTicket.cookieValue(token: token)) {
            return nil
        }
        return APIError(.unauthorized, code: "token_required",
                        "this server requires its token: send 'Authorization: Bearer <token>' (the token is in BMCP_DATA/secrets/http.token; `bmcp up` prints a client configuration with it, and `bmcp dashboard` a sign-in link for browsers)")
    }

    func hostAllowed(_ host: String) -> Bool {
        Self.loopbackHosts.contains(host) || Self.isLoopbackIPv4Literal(host) || allowedHosts.contains(host)
    }

    /// 127.0.0.0/8 written as an address, not a name: `127.1.attacker.example` is a DNS name
    /// a rebinding page controls, and must not pass for loopback.
    static func isLoopbackIPv4Literal(_ host: String) -> Bool {
        var address = in_addr()
        guard inet_pton(AF_INET, host, &address) == 1 else { return false }
        return UInt32(bigEndian: address.s_addr) >> 24 == 127
    }

    func originAllowed(_ origin: String, authority: String) -> Bool {
        allowedOrigins.contains(origin) || origin.lowercased() == "http://\(authority.lowercased())"
    }

    /// `example.com:8765` → `example.com`; `[::1]:8765` → `::1`; lowercased, trailing dot gone.
    static func hostName(_ authority: String) -> String? {
        var text = authority.lowercased()
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            text = String(text[text.index(after: text.startIndex)..<close])
        } else if let colon = text.lastIndex(of: ":") {
            text = String(text[..<colon])
        }
        if text.hasSuffix(".") { text.removeLast() }
        return text.isEmpty ? nil : text
    }

    static func isPublic(_ path: String) -> Bool {
        path == "/" || path.hasPrefix("/dashboard/") || path == "/favicon.ico" || path == "/login" || path == "/openapi.yaml"
    }

    private func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    private func cookie(_ request: Request, named name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, parts[0] == name { return parts[1] }
            }
        }
        return nil
    }
}

/// Applies `HTTPAccess` before any route, and answers every error as JSON
/// `{"error": {"code", "message"}}` with its HTTP status.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: HTTPAccess
    let maxBody: Int
    /// What each path is served with, for 405 instead of 404 on a known path.
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = access.refusal(for: request) { return refusal.response().securityHeaders() }
        do {
            return try await next(request, context).securityHeaders()
        } catch let error as APIError {
            return error.response().securityHeaders()
        } catch let error as any HTTPResponseError {
            // A 404 for a method the path does serve is the handler's own (an unknown file): kept.
            if error.status == .notFound, case let allowed = routes.allowed(at: request.uri.path), !allowed.isEmpty,
               !allowed.contains(request.method.rawValue) {
                var response = APIError(.methodNotAllowed, code: "method_not_allowed",
                                        "\(request.method) is not served at \(request.uri.path): use \(allowed.joined(separator: ", "))").response()
                response.headers[.allow] = allowed.joined(separator: ", ")
                return response.securityHeaders()
            }
            // Hummingbird's own errors (no route, a body over the limit) get our JSON body too.
            let message = switch error.status {
            case .notFound: "no route for \(request.method) \(request.uri.path)"
            case .contentTooLarge: "the request body is larger than this server accepts (\(maxBody) bytes; --http-max-body)"
            default: (error as? HTTPError)?.body ?? error.status.reasonPhrase
            }
            let code = switch error.status {
            case .notFound: "not_found"
            case .contentTooLarge: "body_too_large"
            default: "http_error"
            }
            return APIError(error.status, code: code, message).response().securityHeaders()
        }
    }
}

extension Response {
    /// The dashboard runs only its own scripts and styles, talks only to this origin and is
    /// never framed: a name from the scene that slipped past escaping still cannot run.
    static let contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    func securityHeaders() -> Response {
        var response = self
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return response
    }
}

/// An error the HTTP API answers with; the body always names what was wrong.
struct APIError: Error, Sendable {
    let status: HTTPResponse.Status
    let code: String
    let message: String

    init(_ status: HTTPResponse.Status, code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        let body = ["error": ["code": code, "message": message]]
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

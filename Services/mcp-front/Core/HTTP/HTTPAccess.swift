import Foundation
import HTTPTypes
import Hummingbird

/// Who may talk to mcp-front over HTTP. Browsers send `Origin`; a page on another site must
/// not drive Blender through a user's local server (DNS rebinding, cross-site requests), so an
/// `Origin` is accepted only when it is a loopback host, the server's own `Host`, or listed.
/// A bearer token, when set, is required on everything but the dashboard's static files; it
/// may come as `Authorization: Bearer` or, for EventSource and links, as `?token=`.
struct HTTPAccess: Sendable {
    let token: String?
    let allowedOrigins: Set<String>

    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "::1", "[::1]"]

    func refusal(for request: Request) -> APIError? {
        if let origin = request.headers[.origin], !originAllowed(origin, host: request.head.authority) {
            return APIError(.forbidden, code: "origin_not_allowed",
                            "Origin '\(origin)' is not allowed: only loopback origins, this server's own host, or those in BMCP_ALLOWED_ORIGINS")
        }
        guard let token, !isPublicAsset(request.uri.path) else { return nil }
        let given = bearer(request) ?? request.uri.queryParameters.get("token")
        guard let given else {
            return APIError(.unauthorized, code: "token_required",
                            "this server requires a bearer token (BMCP_TOKEN): send 'Authorization: Bearer <token>'")
        }
        guard constantTimeEqual(given, token) else {
            return APIError(.unauthorized, code: "token_wrong", "the bearer token is not the one this server was started with")
        }
        return nil
    }

    func originAllowed(_ origin: String, host: String?) -> Bool {
        if allowedOrigins.contains(origin) { return true }
        guard let url = URL(string: origin), let originHost = url.host else { return false }
        if Self.loopbackHosts.contains(originHost) { return true }
        guard let host else { return false }
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(originHost)\(port)" == host || originHost == host
    }

    private func isPublicAsset(_ path: String) -> Bool {
        path == "/" || path.hasPrefix("/dashboard/") || path == "/favicon.ico"
    }

    private func bearer(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return String(value.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Applies `HTTPAccess` before any route, and answers every error as JSON
/// `{"error": {"code", "message"}}` with its HTTP status.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    let access: HTTPAccess
    let maxBody: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = access.refusal(for: request) { return refusal.response() }
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response()
        } catch let error as any HTTPResponseError {
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
            return APIError(error.status, code: code, message).response()
        }
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

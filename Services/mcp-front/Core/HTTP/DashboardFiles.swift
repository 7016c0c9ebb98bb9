import Foundation
import HTTPTypes
import Hummingbird

/// The dashboard's static files, bundled with mcp-front (no build step, no CDN): `/` is the
/// page, `/dashboard/<file>` its script, style and the API's OpenAPI description.
enum DashboardFiles {
    static let types = ["index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8",
                        "markdown.js": "text/javascript; charset=utf-8", "style.css": "text/css; charset=utf-8",
                        "openapi.yaml": "application/yaml"]

    static func register(on router: some RouterMethods<BasicRequestContext>) {
        router.get("/") { _, _ in try serve("index.html") }
        router.get("dashboard/:file") { _, context in try serve(context.parameters.get("file") ?? "") }
        router.get("openapi.yaml") { _, _ in try serve("openapi.yaml") }
    }

    static func serve(_ name: String) throws -> Response {
        guard let type = types[name],
              let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Dashboard"),
              let data = try? Data(contentsOf: url) else {
            throw APIError(.notFound, code: "not_found", "no dashboard file '\(name)'")
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

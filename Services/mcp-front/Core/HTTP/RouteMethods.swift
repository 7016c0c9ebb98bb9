import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers

/// Which methods each route answers, recorded as the routes are registered (`RecordingRouter`),
/// so a request for a path we serve with a method we do not gets 405 and an `Allow` header
/// (RFC 9110 §15.5.6) instead of a 404 that says the path does not exist.
///
/// Written while the router is built, read by `AccessMiddleware` while serving.
final class RouteMethods: Sendable {
    private let routes = NIOLockedValueBox<[(path: RouterPath, methods: Set<String>)]>([])

    func record(_ path: RouterPath, _ method: HTTPRequest.Method) {
        routes.withLockedValue { routes in
            if let index = routes.firstIndex(where: { $0.path == path }) {
                routes[index].methods.insert(method.rawValue)
            } else {
                routes.append((path, [method.rawValue]))
            }
        }
    }

    /// The methods served at `path`, sorted; empty when no route has it.
    func allowed(at path: String) -> [String] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = routes.withLockedValue { routes in
            routes.filter { Self.matches($0.path, segments) }.reduce(into: Set<String>()) { $0.formUnion($1.methods) }
        }
        return methods.sorted()
    }

    private static func matches(_ route: RouterPath, _ segments: [Substring]) -> Bool {
        let components = route.components
        if components.last?.description == "**" {
            return segments.count >= components.count - 1
                && zip(components.dropLast(), segments).allSatisfy { $0 ~= $1 }
        }
        return components.count == segments.count && zip(components, segments).allSatisfy { $0 ~= $1 }
    }
}

/// A router that records every route it is given in `RouteMethods`, then hands it on: the
/// routes are declared once, where their handlers are, and the table cannot drift from them.
struct RecordingRouter<Parent: RouterMethods>: RouterMethods {
    typealias Context = Parent.Context
    let parent: Parent
    let methods: RouteMethods

    @discardableResult
    func on<Responder: HTTPResponder>(_ path: RouterPath, method: HTTPRequest.Method, responder: Responder) -> Self
    where Responder.Context == Context {
        methods.record(path, method)
        parent.on(path, method: method, responder: responder)
        return self
    }

    @discardableResult
    func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        parent.add(middleware: middleware)
        return self
    }
}

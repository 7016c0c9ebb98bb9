import BusMessages
import Foundation
import Logging
import ServiceKit

/// Serves the dictionary on a `queries` ROUTER: `prompts.list`, `prompts.search`, `prompts.get`
/// (rendered with validated arguments), `prompts.complete`, `health`. Watches its folder and
/// reloads when a file changes; a reload that fails validation keeps the old dictionary and
/// logs what is wrong. A successful reload publishes `prompts.changed` (PUB), which mcp-front
/// turns into MCP's `notifications/prompts/list_changed`.
///
/// Loop-confined.
public final class PromptServer {
    private let directory: URL
    private let logger: Logger
    private let responder: QueryResponder
    private let updates: EventPublisher
    private var dictionary: PromptDictionary
    private var fingerprint: [String]

    public init(loop: SocketLoop, endpoint: String, eventsInEndpoint: String, directory: URL) throws {
        self.directory = directory
        logger = loop.logger
        dictionary = try PromptDictionary.load(directory: directory)
        fingerprint = Self.fingerprint(of: directory)
        responder = try QueryResponder(loop: loop, endpoint: endpoint, source: "prompt-service")
        updates = try EventPublisher(loop: loop, endpoint: eventsInEndpoint, source: "prompt-service/\(instanceTag())")
        answerQueries()
        loop.every(.seconds(2)) { [unowned self] in self.reloadIfChanged() }
        logger.info("prompt-service answering on \(endpoint) with \(dictionary.entries.count) entries from \(directory.path)")
    }

    private func answerQueries() {
        responder.handle(Op.health) { [unowned self] _ in ["status": "ok", "entries": .int(Int64(dictionary.entries.count))] }
        responder.handle(Op.promptsList) { [unowned self] request throws(BusError) in
            let kind = request.params?["kind"]?.stringValue
            if let kind, !PromptDictionary.kinds.contains(kind) {
                throw BusError(code: ErrorCode.badParams, message: "prompts.list: param 'kind' must be one of \(PromptDictionary.kinds.sorted().joined(separator: ", ")), got \"\(kind)\"")
            }
            return ["prompts": dictionary.listing(kind: kind)]
        }
        responder.handle(Op.promptsSearch) { [unowned self] request throws(BusError) in
            let params = request.params ?? [:]
            guard let query = params["query"]?.stringValue else {
                throw BusError(code: ErrorCode.badParams, message: "prompts.search: missing required param 'query' (a string)")
            }
            let lang = try Self.language(params["lang"], op: "prompts.search")
            let limit = Int(min(max(params["limit"]?.intValue ?? 10, 1), 100))
            let found = PromptSearch(dictionary: dictionary).search(query, lang: lang, limit: limit)
            return ["query": .string(query), "results": .array(found.map { match in
                var item = PromptDictionary.summary(match.entry).objectValue ?? [:]
                item["score"] = .int(Int64(match.score))
                return .object(item)
            })]
        }
        responder.handle(Op.promptsGet) { [unowned self] request throws(BusError) in
            let params = request.params ?? [:]
            let entry = try entry(params, op: "prompts.get")
            let lang = try Self.language(params["lang"], op: "prompts.get") ?? "en"
            let arguments = params["arguments"]?.objectValue ?? [:]
            return ["id": entry["id"] ?? .null, "title": entry["title"] ?? .null,
                    "text": .string(try PromptRenderer.render(entry, arguments: arguments, lang: lang))]
        }
        responder.handle(Op.promptsBrief) { [unowned self] request throws(BusError) in
            let params = request.params ?? [:]
            let entry = try entry(params, op: "prompts.brief")
            let lang = try Self.language(params["lang"], op: "prompts.brief") ?? "en"
            let raw = params["arguments"] ?? .null
            guard raw == .null || raw.objectValue != nil else {
                throw BusError(code: ErrorCode.badParams, message: "prompts.brief: param 'arguments' must be an object of argument values, got \(raw.typeName)")
            }
            return try PromptBrief.make(entry, arguments: raw.objectValue ?? [:], lang: lang)
        }
        responder.handle(Op.promptsComplete) { [unowned self] request throws(BusError) in
            let params = request.params ?? [:]
            let entry = try entry(params, op: "prompts.complete")
            guard let name = params["argument"]?.stringValue else {
                throw BusError(code: ErrorCode.badParams, message: "prompts.complete: missing required param 'argument'")
            }
            let typed = params["value"]?.stringValue ?? ""
            guard let argument = entry["arguments"]?.arrayValue?.first(where: { $0["name"]?.stringValue == name }) else {
                return ["values": []]
            }
            var candidates = argument["choices"]?.arrayValue?.compactMap(\.stringValue) ?? []
            if candidates.isEmpty {
                candidates = ([argument["default"]] + (argument["range"]?.arrayValue ?? []).map(Optional.some))
                    .compactMap { $0?.doubleValue.map(PromptRenderer.format) }
            }
            var unique: [String] = []
            for value in candidates where value.hasPrefix(typed) && !unique.contains(value) { unique.append(value) }
            return ["values": .array(unique.map(JSONValue.string))]
        }
    }

    private func entry(_ params: JSONValue, op: String) throws(BusError) -> JSONValue {
        guard let id = params["id"]?.stringValue else {
            throw BusError(code: ErrorCode.badParams, message: "\(op): missing required param 'id' (a string)")
        }
        guard let entry = dictionary.entry(id) else {
            let suggestions = PromptSearch(dictionary: dictionary).search(id.replacingOccurrences(of: "-", with: " "), lang: nil, limit: 3)
                .compactMap { $0.entry["id"]?.stringValue }
            throw BusError(code: "not_found", message: "\(op): no prompt '\(id)'\(suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: ", "))?")")
        }
        return entry
    }

    private static func language(_ value: JSONValue?, op: String) throws(BusError) -> String? {
        guard let value, value != .null else { return nil }
        guard let lang = value.stringValue, lang == "en" || lang == "ja" else {
            throw BusError(code: ErrorCode.badParams, message: "\(op): param 'lang' must be \"en\" or \"ja\", got \(value)")
        }
        return lang
    }

    // MARK: Reloading

    static func fingerprint(of directory: URL) -> [String] {
        let keys: [URLResourceKey] = [.contentModificationDateKey, .fileSizeKey]
        let files = (try? FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: keys)) ?? []
        return files.filter { $0.pathExtension == "json" }.map { file in
            let values = try? file.resourceValues(forKeys: Set(keys))
            return "\(file.lastPathComponent):\(values?.contentModificationDate?.timeIntervalSince1970 ?? 0):\(values?.fileSize ?? 0)"
        }.sorted()
    }

    private func reloadIfChanged() {
        let current = Self.fingerprint(of: directory)
        guard current != fingerprint else { return }
        fingerprint = current
        do {
            dictionary = try PromptDictionary.load(directory: directory)
            logger.notice("prompt dictionary reloaded: \(dictionary.entries.count) entries")
            updates.publish(EventName.promptsChanged, payload: ["entries": .int(Int64(dictionary.entries.count))])
        } catch {
            logger.error("prompt dictionary not reloaded, keeping the previous one: \(error)")
        }
    }
}

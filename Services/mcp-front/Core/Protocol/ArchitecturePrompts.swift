import BusMessages
import Foundation
import MCP
import ServiceKit

/// The architecture prompt dictionary as MCP prompts, served by prompt-service: every entry is
/// a prompt whose arguments carry their unit, range and default; `prompts/get` renders it with
/// the arguments checked; `completion/complete` suggests values. Every prompt also takes
/// `lang` (en or ja).
struct ArchitecturePrompts: Sendable {
    let prompts: RequestClient
    let timeout: Duration

    func list() async throws -> ListPrompts.Result {
        let entries = try await ask(Op.promptsList, [:])["prompts"]?.arrayValue ?? []
        return ListPrompts.Result(prompts: entries.map(Self.prompt))
    }

    static func prompt(_ entry: JSONValue) -> Prompt {
        let arguments = (entry["arguments"]?.arrayValue ?? []).map { argument in
            var about = argument["description"]?.stringValue ?? argument["description"]?["en"]?.stringValue ?? ""
            var facts: [String] = []
            if let unit = argument["unit"]?.stringValue, !unit.isEmpty { facts.append(unit) }
            if let range = argument["range"]?.arrayValue, range.count == 2 { facts.append("\(range[0])–\(range[1])") }
            if let choices = argument["choices"]?.arrayValue { facts.append("one of " + choices.compactMap(\.stringValue).joined(separator: ", ")) }
            if let fallback = argument["default"], fallback != .null { facts.append("default \(fallback.stringValue ?? fallback.description)") }
            if !facts.isEmpty { about += " (\(facts.joined(separator: "; ")))" }
            return Prompt.Argument(name: argument["name"]?.stringValue ?? "?", description: about,
                                   required: argument["required"]?.boolValue ?? false)
        }
        let title = [entry["title"]?["en"]?.stringValue, entry["title"]?["ja"]?.stringValue].compactMap { $0 }.joined(separator: " / ")
        let description = [entry["description"]?["en"]?.stringValue, entry["description"]?["ja"]?.stringValue].compactMap { $0 }.joined(separator: "\n")
        return Prompt(name: entry["id"]?.stringValue ?? "?", title: title, description: description,
                      arguments: arguments + [Prompt.Argument(name: "lang", description: "Language of the prompt: en (default) or ja", required: false)])
    }

    func get(_ name: String, arguments: [String: String]?) async throws -> GetPrompt.Result {
        var arguments = arguments ?? [:]
        let lang = arguments.removeValue(forKey: "lang") ?? "en"
        let result = try await ask(Op.promptsGet, ["id": .string(name), "lang": .string(lang),
                                                   "arguments": .object(arguments.mapValues(JSONValue.string))])
        return GetPrompt.Result(description: result["title"]?[lang]?.stringValue,
                                messages: [.user(.text(text: result["text"]?.stringValue ?? ""))])
    }

    func complete(_ parameters: Complete.Parameters) async throws -> Complete.Result {
        guard case .prompt(let reference) = parameters.ref else {
            return Complete.Result(completion: .init(values: []))
        }
        if parameters.argument.name == "lang" {
            return Complete.Result(completion: .init(values: ["en", "ja"].filter { $0.hasPrefix(parameters.argument.value) }))
        }
        let result = try await ask(Op.promptsComplete, ["id": .string(reference.name), "argument": .string(parameters.argument.name),
                                                        "value": .string(parameters.argument.value)])
        let values = result["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
        return Complete.Result(completion: .init(values: Array(values.prefix(100)), total: values.count, hasMore: values.count > 100))
    }

    /// The brief a session keeps of the prompt it began from (create_session's `prompt`).
    func brief(_ id: String, arguments: JSONValue, lang: String) async throws -> JSONValue {
        let answer = try await prompts.send(.request(op: Op.promptsBrief, params: ["id": .string(id), "lang": .string(lang), "arguments": arguments],
                                                     source: "mcp-front"), timeout: timeout)
        guard answer.kind == .reply, let result = answer.result else {
            throw answer.error ?? BusError(code: "internal", message: "prompt-service answered prompts.brief without a result")
        }
        return result
    }

    /// search_architecture_prompts, for clients without prompt support.
    func search(query: String, lang: String?) async throws -> String {
        var params: [String: JSONValue] = ["query": .string(query), "limit": 10]
        if let lang { params["lang"] = .string(lang) }
        let results = try await ask(Op.promptsSearch, .object(params))["results"]?.arrayValue ?? []
        guard !results.isEmpty else { return "No architecture prompt matches “\(query)”." }
        return results.map { entry in
            let language = lang ?? "en"
            return "- \(entry["id"]?.stringValue ?? "?") — \(entry["title"]?["en"]?.stringValue ?? "") / \(entry["title"]?["ja"]?.stringValue ?? "") [\(entry["kind"]?.stringValue ?? "")]\n  \(entry["description"]?[language]?.stringValue ?? "")"
        }.joined(separator: "\n") + "\n\nUse the prompt (prompts/get) with one of these ids for the full recipe with real dimensions."
    }

    private func ask(_ op: String, _ params: JSONValue) async throws -> JSONValue {
        let answer = try await prompts.send(.request(op: op, params: params, source: "mcp-front"), timeout: timeout)
        guard answer.kind == .reply, let result = answer.result else {
            throw MCPError.invalidParams(answer.error?.message ?? "prompt-service answered without a result")
        }
        return result
    }
}

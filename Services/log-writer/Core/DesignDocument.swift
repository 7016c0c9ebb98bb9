import BusMessages
import Foundation

/// design.md: what a session has built, written so an architect could hand it to a colleague —
/// purpose, overall size, the objects by collection with real sizes, materials, the steps taken
/// and the latest render. Regenerated from state.json and command.log.
struct DesignDocument {
    var sessionID: String
    var name: String
    /// The scene snapshot (state.json's "scene"), if one was taken.
    var scene: JSONValue?
    /// The latest commands, oldest first, and how many there are in all.
    var steps: [JSONValue]
    var totalSteps: Int
    /// The first command, whose arguments say what the session set out to do.
    var firstStep: JSONValue?
    var hasRender: Bool

    func render() -> String {
        var out = "# \(escape(name))\n\n"
        out += "_Session `\(sessionID)` · \(totalSteps) command\(totalSteps == 1 ? "" : "s") · updated \(Timestamp.now())_\n\n"
        out += "## Purpose\n\n\(purpose())\n\n"
        out += overallSize()
        out += objects()
        out += materials()
        out += timeline()
        if hasRender { out += "## Latest render\n\n![Latest render](renders/latest.png)\n" }
        return out
    }

    private func purpose() -> String {
        guard let first = firstStep else { return "Nothing has been built yet." }
        let tool = first["tool"]?.stringValue ?? first["op"]?.stringValue ?? "a command"
        return "Started as “\(escape(name))” with \(escape(tool))\(summary(first["params"]).map { " (\(escape($0)))" } ?? "")."
    }

    private var objectList: [JSONValue] { scene?["objects"]?.arrayValue ?? [] }

    private func overallSize() -> String {
        var low = [Double.infinity, .infinity, .infinity]
        var high = [-Double.infinity, -.infinity, -.infinity]
        for object in objectList where object["type"]?.stringValue == "MESH" {
            guard let box = object["world_bounding_box"], let min = vector(box["min"]), let max = vector(box["max"]) else { continue }
            for axis in 0..<3 {
                low[axis] = Swift.min(low[axis], min[axis])
                high[axis] = Swift.max(high[axis], max[axis])
            }
        }
        guard low[0].isFinite else { return "## Overall dimensions\n\nNo geometry yet.\n\n" }
        let size = (0..<3).map { metres(high[$0] - low[$0]) }
        return "## Overall dimensions\n\nWidth × depth × height: **\(size[0]) × \(size[1]) × \(size[2]) m** "
            + "(from \(coordinates(low)) to \(coordinates(high))).\n\n"
    }

    private func objects() -> String {
        guard !objectList.isEmpty else { return "" }
        var out = "## Objects\n\n"
        let grouped = Dictionary(grouping: objectList) { $0["collection"]?.stringValue ?? "Scene Collection" }
        for collection in grouped.keys.sorted() {
            out += "### \(escape(collection))\n\n| Object | Type | Size W × D × H (m) | Location (m) | Materials |\n|---|---|---|---|---|\n"
            for object in grouped[collection]!.sorted(by: { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }) {
                let size = vector(object["dimensions"]).map { $0.map(metres).joined(separator: " × ") } ?? "–"
                let location = vector(object["location"]).map(coordinates) ?? "–"
                let materials = object["materials"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
                out += "| \(escape(object["name"]?.stringValue ?? "?")) | \(escape(object["type"]?.stringValue?.lowercased() ?? "?")) | \(size) | \(location) | \(materials.isEmpty ? "–" : escape(materials)) |\n"
            }
            out += "\n"
        }
        return out
    }

    private func materials() -> String {
        guard let list = scene?["materials"]?.arrayValue, !list.isEmpty else { return "" }
        var out = "## Materials\n\n"
        for material in list {
            let color = vector(material["base_color"]).map { rgb in
                String(format: "#%02X%02X%02X", Int((rgb[0] * 255).rounded()), Int((rgb[1] * 255).rounded()), Int((rgb[2] * 255).rounded()))
            }
            out += "- **\(escape(material["name"]?.stringValue ?? "?"))**\(color.map { " — base colour \($0)" } ?? "")\n"
        }
        return out + "\n"
    }

    private func timeline() -> String {
        guard !steps.isEmpty else { return "" }
        var out = "## Timeline\n\n"
        if totalSteps > steps.count { out += "_The last \(steps.count) of \(totalSteps) steps._\n\n" }
        out += "| # | Time (UTC) | Step | Outcome |\n|---|---|---|---|\n"
        for step in steps {
            let time = step["ts"]?.stringValue.map { String($0.dropFirst(11).prefix(8)) } ?? ""
            let what = (step["tool"]?.stringValue ?? step["op"]?.stringValue ?? "?") + (summary(step["params"]).map { ": \($0)" } ?? "")
            let outcome: String
            if step["status"]?.stringValue == "ok" {
                let created = step["changed"]?["created"]?.arrayValue?.compactMap(\.stringValue) ?? []
                outcome = created.isEmpty ? "done" : "created \(created.prefix(5).joined(separator: ", "))\(created.count > 5 ? "…" : "")"
            } else {
                outcome = "failed: \(step["error"]?["message"]?.stringValue ?? "?")"
            }
            out += "| \(step["seq"]?.intValue ?? 0) | \(time) | \(escape(what)) | \(escape(outcome)) |\n"
        }
        return out + "\n"
    }

    /// A one-line summary of a command's params (code shows its first line).
    private func summary(_ params: JSONValue?) -> String? {
        guard let fields = params?.objectValue, !fields.isEmpty else { return nil }
        return fields.keys.sorted().prefix(4).map { key -> String in
            let value = fields[key]!
            if key == "code" { return "code: \(value["file"]?.stringValue ?? "…")" }
            switch value {
            case .string(let text): return "\(key) \(text.split(separator: "\n").first.map(String.init)?.prefix(40) ?? "")"
            case .array(let items) where items.count <= 3: return "\(key) [\(items.map(\.description).joined(separator: ", "))]"
            default: return "\(key) \(value.description)"
            }
        }.joined(separator: ", ")
    }

    private func vector(_ value: JSONValue?) -> [Double]? {
        guard let items = value?.arrayValue?.compactMap(\.doubleValue), items.count >= 3 else { return nil }
        return items
    }

    private func metres(_ value: Double) -> String { String(format: "%.2f", value) }
    private func coordinates(_ value: [Double]) -> String { "(" + value.prefix(3).map(metres).joined(separator: ", ") + ")" }
    /// Every name in the document comes from the scene (chosen by the assistant, or by a file it
    /// opened), so it is text, never markup: the punctuation of links, images, HTML, code and
    /// table cells is backslash-escaped and line breaks become spaces. (Emphasis characters
    /// stay: at worst a name shows in italics.)
    private func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if character.isNewline { out.append(" "); continue }
            if "\\`[]()<>|!".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

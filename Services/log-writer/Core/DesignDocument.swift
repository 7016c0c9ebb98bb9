import BusMessages
import Foundation

/// design.md: the building a session made, written so that a reader who never opened Blender
/// could redraw it — storeys, rooms with areas, walls by room and side, every opening, the
/// roof with its heights, stairs, the footprint; then the drawings, materials, other objects,
/// the steps taken and the latest render.
/// Regenerated from state.json (the objects' own `arch` records) and command.log.
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
    var language: DesignLanguage = .en
    /// plan.svg and elevation.svg are written beside design.md.
    var hasDrawings: Bool = false
    /// The architecture prompt the session began from (session.created's `brief`).
    var brief: JSONValue? = nil

    func render() -> String {
        let facts = BuildingFacts(scene: scene)
        let words = language.words
        var out = "# \(Markdown.escape(name))\n\n"
        let count = language == .ja ? "\(totalSteps) \(words(.commands))" : "\(totalSteps) command\(totalSteps == 1 ? "" : "s")"
        out += "_Session `\(sessionID)` · \(count) · updated \(Timestamp.now())_\n\n"
        out += "## \(words(.purpose))\n\n\(purpose(facts))\n\n"
        if let brief, let section = BriefSection(brief: brief, facts: facts, language: language).render() { out += section }
        if !facts.isEmpty {
            out += BuildingSection(facts: facts, language: language).render()
        }
        if hasDrawings && !facts.isEmpty {
            out += "## \(words(.drawings))\n\n![\(words(.plan))](plan.svg)\n\n![\(words(.elevation))](elevation.svg)\n\n"
        }
        out += materials()
        out += others(facts)
        out += timeline()
        if hasRender { out += "## \(words(.render))\n\n![\(words(.render))](renders/latest.png)\n" }
        return out
    }

    private func purpose(_ facts: BuildingFacts) -> String {
        guard firstStep != nil || !facts.isEmpty || !facts.others.isEmpty else { return language.words(.nothing) }
        var tools: [String] = []
        for step in steps where step["status"]?.stringValue == "ok" {
            if let tool = step["tool"]?.stringValue ?? step["op"]?.stringValue, !tools.contains(tool) { tools.append(tool) }
        }
        let built = tools.isEmpty ? "" : " \(language.words(.built)): \(tools.map { "`\($0)`" }.joined(separator: ", "))."
        if facts.isEmpty { return language.words(.noBuilding) + built }
        let storeys = facts.storeys.count, rooms = facts.rooms.count
        let roof = facts.roofs.first.map { language.kind($0.type) }
        if language == .ja {
            return "\(storeys)階建て、\(rooms)室" + (roof.map { "、\($0)屋根" } ?? "") + "の建物。" + built
        }
        return "A \(storeys)-storey building with \(rooms) room\(rooms == 1 ? "" : "s")" + (roof.map { " under a \($0) roof" } ?? "") + "." + built
    }

    private func materials() -> String {
        guard let list = scene?["materials"]?.arrayValue, !list.isEmpty else { return "" }
        var out = "## \(language.words(.materials))\n\n"
        let objects = scene?["objects"]?.arrayValue ?? []
        for material in list {
            let name = material["name"]?.stringValue ?? "?"
            let color = BuildingFacts.vector(material["base_color"]).map { rgb in
                String(format: "#%02X%02X%02X", Int((rgb[0] * 255).rounded()), Int((rgb[1] * 255).rounded()), Int((rgb[2] * 255).rounded()))
            }
            let users = objects.filter { $0["materials"]?.arrayValue?.contains(.string(name)) == true }.compactMap { $0["name"]?.stringValue }
            out += "- **\(Markdown.escape(name))**\(color.map { " — base colour \($0)" } ?? "")"
            out += users.isEmpty ? "\n" : " — on \(users.prefix(8).map(Markdown.escape).joined(separator: ", "))\(users.count > 8 ? "…" : "")\n"
        }
        return out + "\n"
    }

    private func others(_ facts: BuildingFacts) -> String {
        guard !facts.others.isEmpty else { return "" }
        let words = language.words
        var out = "## \(words(.others))\n\n| \(words(.object)) | Type | Size W × D × H (m) | \(words(.location)) | \(words(.collection)) | \(words(.materials)) |\n|---|---|---|---|---|---|\n"
        for object in facts.others.sorted(by: { ($0["name"]?.stringValue ?? "") < ($1["name"]?.stringValue ?? "") }) {
            let size = BuildingFacts.vector(object["dimensions"]).map { $0.map(Markdown.metres).joined(separator: " × ") } ?? "–"
            let location = BuildingFacts.vector(object["location"]).map(Markdown.point) ?? "–"
            let materials = object["materials"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ", ") ?? ""
            out += "| \(Markdown.escape(object["name"]?.stringValue ?? "?")) | \(Markdown.escape(object["type"]?.stringValue?.lowercased() ?? "?")) | \(size) | \(location) | "
                + "\(Markdown.escape(object["collection"]?.stringValue ?? "–")) | \(materials.isEmpty ? "–" : Markdown.escape(materials)) |\n"
        }
        return out + "\n"
    }

    private func timeline() -> String {
        guard !steps.isEmpty else { return "" }
        let words = language.words
        var out = "## \(words(.timeline))\n\n"
        if totalSteps > steps.count { out += "_The last \(steps.count) of \(totalSteps) steps._\n\n" }
        out += "| # | \(words(.time)) | \(words(.step)) | \(words(.outcome)) |\n|---|---|---|---|\n"
        for step in steps {
            let time = step["ts"]?.stringValue.map { String($0.dropFirst(11).prefix(8)) } ?? ""
            let what = (step["tool"]?.stringValue ?? step["op"]?.stringValue ?? "?") + (Markdown.summary(step["params"]).map { ": \($0)" } ?? "")
            let outcome: String
            if step["status"]?.stringValue == "ok" {
                let created = step["changed"]?["created"]?.arrayValue?.compactMap(\.stringValue) ?? []
                outcome = created.isEmpty ? "done" : "created \(created.prefix(5).joined(separator: ", "))\(created.count > 5 ? "…" : "")"
            } else {
                outcome = "failed: \(step["error"]?["message"]?.stringValue ?? "?")"
            }
            out += "| \(step["seq"]?.intValue ?? 0) | \(time) | \(Markdown.escape(what)) | \(Markdown.escape(outcome)) |\n"
        }
        return out + "\n"
    }
}

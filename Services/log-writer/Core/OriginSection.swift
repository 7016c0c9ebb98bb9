import BusMessages
import Foundation

/// design.md's "Started from": the dictionary entry a client rendered before building
/// (origin.json, written when mcp-front tells log-writer), its arguments, and beside each the
/// value the building really has; any value outside the entry's range is flagged.
struct OriginSection {
    let origin: JSONValue
    let facts: BuildingFacts
    let language: DesignLanguage

    func render() -> String {
        let words = language.words
        let id = origin["prompt"]?.stringValue ?? "?"
        let title = [origin["title"]?["en"]?.stringValue, origin["title"]?["ja"]?.stringValue].compactMap { $0 }.joined(separator: " / ")
        var out = "## \(words(.prompt))\n\n"
        out += "Dictionary entry **\(Markdown.escape(id))**\(title.isEmpty ? "" : " — \(Markdown.escape(title))") (lang \(origin["lang"]?.stringValue ?? "en")).\n\n"
        let given = origin["arguments"]?.objectValue ?? [:]
        let entries = origin["entry_arguments"]?.arrayValue ?? []
        guard !entries.isEmpty else { return out }
        out += "| \(words(.argument)) | \(words(.value)) | As built | \(words(.range)) | |\n|---|---|---|---|---|\n"
        for argument in entries {
            guard let name = argument["name"]?.stringValue else { continue }
            let unit = argument["unit"]?.stringValue ?? ""
            let asked = given[name]?.stringValue ?? given[name]?.description ?? argument["default"].map { $0.stringValue ?? $0.description }
            let built = measure(name)
            let range = argument["range"]?.arrayValue?.compactMap(\.doubleValue)
            var flags: [String] = []
            if let range, range.count == 2 {
                for value in [asked.flatMap(Double.init), built].compactMap({ $0 }) where value < range[0] - 1e-6 || value > range[1] + 1e-6 {
                    flags.append("\(words(.outside)): \(format(value))")
                }
            }
            out += "| \(Markdown.escape(name)) | \(Markdown.escape(asked ?? "–"))\(unit.isEmpty ? "" : " \(unit)") | \(built.map(format) ?? "–") | "
                + "\(range.map { "\(format($0[0]))–\(format($0[1]))" } ?? "–") | \(flags.joined(separator: "; ")) |\n"
        }
        return out + "\n"
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// What the building really measures for an argument of the common building entries.
    private func measure(_ name: String) -> Double? {
        let lines = facts.centreLines
        switch name {
        case "width", "frontage", "hall_width", "base_width": return lines.map { $0[2] - $0[0] }
        case "depth", "hall_length": return lines.map { $0[3] - $0[1] }
        case "storeys": return facts.storeys.isEmpty ? nil : Double(facts.storeys.count)
        case "floor_height", "storey_height": return facts.storeys.count > 1 ? facts.storeys[0].height : facts.walls.map(\.height).max()
        case "wall_thickness": return facts.walls.map(\.thickness).max()
        case "slab_thickness": return facts.slabs.map(\.thickness).max()
        case "roof_pitch", "pitch_deg": return facts.roofs.first?.pitch
        case "eaves_overhang", "overhang": return facts.roofs.first?.overhang
        case "door_width": return facts.walls.flatMap(\.openings).first { $0.kind == "door" }?.width
        case "door_height": return facts.walls.flatMap(\.openings).first { $0.kind == "door" }?.height
        case "window_width": return facts.walls.flatMap(\.openings).first { $0.kind == "window" }?.width
        case "window_height": return facts.walls.flatMap(\.openings).first { $0.kind == "window" }?.height
        case "window_sill": return facts.walls.flatMap(\.openings).first { $0.kind == "window" }?.sill
        default: return nil
        }
    }
}

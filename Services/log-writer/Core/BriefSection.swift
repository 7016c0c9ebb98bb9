import BusMessages
import Foundation

/// design.md's brief: the dictionary entry the session began from (create_session's `prompt`),
/// each of its arguments as asked beside what the building measures, and every value outside
/// the entry's range flagged, asked or built.
///
/// An argument is measured when its name says what it is (`width`, `roof_pitch`, `door_width`
/// …, `measure`); the others (colours, counts of seats) are listed as asked, unchecked.
struct BriefSection {
    let brief: JSONValue
    let facts: BuildingFacts
    let language: DesignLanguage

    private func w(_ word: DesignWord) -> String { language.words(word) }

    /// Nil when the session did not begin from a prompt.
    func render() -> String? {
        guard let entry = brief["entry"]?.stringValue else { return nil }
        let title = Markdown.escape(brief["title"]?[language.rawValue]?.stringValue ?? entry)
        var out = "## \(w(.brief))\n\n"
        out += language == .ja ? "辞書の項目「\(title)」（`\(entry)`）から始めたセッション。\n\n"
            : "Started from the dictionary entry **\(title)** (`\(entry)`).\n\n"
        out += "| \(w(.argument)) | \(w(.asked)) | \(w(.entryRange)) | \(w(.measured)) | \(w(.check)) |\n|---|---|---|---|---|\n"
        var flagged: [String] = []
        for argument in brief["arguments"]?.arrayValue ?? [] {
            guard let name = argument["name"]?.stringValue else { continue }
            let row = Row(argument, measured: Self.measure(name, in: facts))
            var flags: [String] = []
            if row.askedOutside { flags.append("⚠ " + w(.askedOutside)) }
            if !row.builtOutside.isEmpty { flags.append("⚠ " + w(.builtOutside) + " (" + row.builtOutside.joined(separator: ", ") + ")") }
            let check = flags.isEmpty ? (row.measured.isEmpty ? "–" : "✓") : flags.joined(separator: "; ")
            if row.askedOutside || !row.builtOutside.isEmpty { flagged.append(name) }
            out += "| `\(Markdown.escape(name))` | \(row.asked)\(argument["given"]?.boolValue == false ? " (\(w(.byDefault)))" : "") | \(row.range) | \(row.measured.isEmpty ? "–" : row.measured.joined(separator: ", ")) | \(check) |\n"
        }
        out += "\n" + (flagged.isEmpty ? w(.allWithin)
            : "**\(w(.outsideCount)): \(flagged.count)** (" + flagged.map { "`\($0)`" }.joined(separator: ", ") + ")") + "\n\n"
        return out
    }

    /// One argument: what was asked, its range, what was built, and which of those leave it.
    private struct Row {
        var asked = "", range = "–"
        var measured: [String] = []
        var askedOutside = false
        var builtOutside: [String] = []

        init(_ argument: JSONValue, measured values: [JSONValue]) {
            let name = argument["unit"]?.stringValue ?? ""
            let unit = ["", "count"].contains(name) ? "" : name == "deg" ? "°" : " \(name)"
            func number(_ value: Double) -> String {
                name == "m" ? Markdown.metres(value) : value.rounded() == value && abs(value) < 1e9 ? String(Int64(value)) : String(format: "%.1f", value)
            }
            let value = argument["value"] ?? .null
            asked = (value.doubleValue.map(number) ?? Markdown.escape(value.stringValue ?? value.description)) + unit
            askedOutside = argument["outside"]?.boolValue == true
            let bounds = argument["range"]?.arrayValue?.compactMap(\.doubleValue)
            let choices = argument["choices"]?.arrayValue?.compactMap(\.stringValue)
            if let bounds, bounds.count == 2 {
                range = "\(number(bounds[0]))–\(number(bounds[1]))\(unit)"
            } else if let choices, !choices.isEmpty {
                range = choices.joined(separator: ", ")
            }
            for built in values {
                let shown = (built.doubleValue.map(number) ?? Markdown.escape(built.stringValue ?? "?")) + unit
                if measured.contains(shown) { continue }
                measured.append(shown)
                // 0.005 of the unit (half a centimetre, 0.005°) of slack: Blender stores float32.
                if let number = built.doubleValue, let bounds, bounds.count == 2,
                   number < bounds[0] - 0.005 || number > bounds[1] + 0.005 {
                    builtOutside.append(shown)
                } else if let text = built.stringValue, let choices, !choices.isEmpty, !choices.contains(text) {
                    builtOutside.append(shown)
                }
            }
        }
    }

    /// What the building measures for the argument called `name`, in the argument's unit.
    static func measure(_ name: String, in facts: BuildingFacts) -> [JSONValue] {
        let doors = facts.walls.flatMap(\.openings).filter { $0.kind == "door" }
        let windows = facts.walls.flatMap(\.openings).filter { $0.kind == "window" }
        let box = facts.centreLines ?? facts.footprint
        let numbers: [Double]
        switch name {
        case "width", "frontage": numbers = box.map { [$0[2] - $0[0]] } ?? []
        case "depth": numbers = box.map { [$0[3] - $0[1]] } ?? []
        case "storeys", "floors": numbers = facts.storeys.isEmpty ? [] : [Double(facts.storeys.count)]
        case "floor_height", "storey_height": numbers = facts.storeys.compactMap(\.height)
        case "wall_height", "ceiling_height": numbers = facts.walls.map(\.height)
        case "wall_thickness": numbers = facts.walls.map(\.thickness)
        case "slab_thickness": numbers = facts.slabs.map(\.thickness)
        case "door_width": numbers = doors.map(\.width)
        case "door_height": numbers = doors.map(\.height)
        case "window_width": numbers = windows.map(\.width)
        case "window_height": numbers = windows.map(\.height)
        case "window_sill", "sill": numbers = windows.map(\.sill)
        case "roof_pitch", "pitch_deg": numbers = facts.roofs.filter { $0.type != "flat" }.map(\.pitch)
        case "overhang", "eaves_overhang": numbers = facts.roofs.map(\.overhang)
        case "eaves_height": numbers = facts.roofs.map(\.baseZ)
        case "riser_max": numbers = facts.stairs.map(\.riser)
        case "tread": numbers = facts.stairs.map(\.tread)
        case "roof_type": return facts.roofs.map { .string($0.type) }
        default: numbers = []
        }
        return numbers.map { .double(($0 * 100).rounded() / 100) }
    }
}

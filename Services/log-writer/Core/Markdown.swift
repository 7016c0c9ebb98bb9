import BusMessages
import Foundation

/// How design.md writes numbers, points and names.
enum Markdown {
    /// Centimetres, halves rounded away from zero past Blender's float32 noise: 4.075 (stored
    /// as 4.07499…, or 8.0749998 after a round trip through a mesh) reads 4.08, as it was given.
    static func metres(_ value: Double) -> String {
        String(format: "%.2f", (value * 100 + (value < 0 ? -1e-4 : 1e-4)).rounded() / 100 + 0)
    }
    static func point(_ value: [Double]) -> String { "(" + value.prefix(3).map(metres).joined(separator: ", ") + ")" }
    static func area(_ value: Double) -> String { String(format: "%.1f m²", value) }
    static func tatami(_ area: Double) -> String { String(format: "%.1f 畳", area / DesignLanguage.tatami) }
    static func degrees(_ value: Double) -> String { String(format: "%.1f°", value) }

    /// A one-line summary of a command's params (code shows its first line).
    static func summary(_ params: JSONValue?) -> String? {
        guard let fields = params?.objectValue, !fields.isEmpty else { return nil }
        return fields.keys.sorted().prefix(4).map { key -> String in
            let value = fields[key]!
            if key == "code" { return "code: \(value["file"]?.stringValue ?? "…")" }
            switch value {
            case .string(let text): return "\(key) \(text.split(separator: "\n").first.map(String.init)?.prefix(40) ?? "")"
            case .array(let items) where items.count <= 3 && items.allSatisfy({ $0.objectValue == nil && $0.arrayValue == nil }):
                return "\(key) [\(items.map(\.description).joined(separator: ", "))]"
            case .array(let items): return "\(key) (\(items.count))"
            default: return "\(key) \(value.description.prefix(40))"
            }
        }.joined(separator: ", ")
    }

    /// Every name in the document comes from the scene (chosen by the assistant, or by a file it
    /// opened), so it is text, never markup: the punctuation of links, images, HTML, code and
    /// table cells is backslash-escaped and line breaks become spaces. (Emphasis characters
    /// stay: at worst a name shows in italics.)
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            if character.isNewline { out.append(" "); continue }
            if "\\`[]()<>|!".contains(character) { out.append("\\") }
            out.append(character)
        }
        return out
    }
}

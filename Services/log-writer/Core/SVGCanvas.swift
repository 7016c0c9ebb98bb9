import Foundation

/// A drawing sheet in metres: world points are mapped to SVG pixels (y up in the world, down in
/// SVG) and shapes are appended as text. Names from the scene are escaped as XML text, so a
/// drawing never carries markup or script from an object's name.
struct SVGCanvas {
    /// Pixels per metre (1:100 at 50 px per metre on a 96 dpi screen is close enough to read).
    let scale: Double
    /// World coordinates of the sheet's top-left corner.
    let originX: Double, topY: Double
    var body = ""

    func x(_ value: Double) -> String { Self.number((value - originX) * scale) }
    func y(_ value: Double) -> String { Self.number((topY - value) * scale) }
    func px(_ point: [Double]) -> String { "\(x(point[0])),\(y(point[1]))" }

    static func number(_ value: Double) -> String { String(format: "%.1f", value + 0) }
    static func data(_ value: Double) -> String { String(format: "%.3f", value + 0) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    mutating func polygon(_ points: [[Double]], _ attributes: String) {
        body += "<polygon points=\"\(points.map(px).joined(separator: " "))\" \(attributes)/>\n"
    }

    mutating func line(_ from: [Double], _ to: [Double], _ attributes: String) {
        body += "<line x1=\"\(x(from[0]))\" y1=\"\(y(from[1]))\" x2=\"\(x(to[0]))\" y2=\"\(y(to[1]))\" \(attributes)/>\n"
    }

    mutating func text(_ at: [Double], _ content: String, _ attributes: String, dy: Double = 0) {
        body += "<text x=\"\(x(at[0]))\" y=\"\(Self.number((topY - at[1]) * scale + dy))\" \(attributes)>\(Self.escape(content))</text>\n"
    }

    mutating func raw(_ text: String) { body += text }

    /// A dimension line from `from` to `to`, drawn `offset` metres off to the side given by
    /// `normal`, with extension ticks and its length written at the middle.
    mutating func dimension(_ from: [Double], _ to: [Double], normal: [Double], offset: Double, label: String) {
        let a = [from[0] + normal[0] * offset, from[1] + normal[1] * offset]
        let b = [to[0] + normal[0] * offset, to[1] + normal[1] * offset]
        let length = hypot(to[0] - from[0], to[1] - from[1])
        body += "<g class=\"dimension\" data-length=\"\(Self.data(length))\">\n"
        line(from, a, "class=\"extension\"")
        line(to, b, "class=\"extension\"")
        line(a, b, "class=\"dimension-line\"")
        for end in [a, b] {
            line([end[0] - 0.1, end[1] - 0.1], [end[0] + 0.1, end[1] + 0.1], "class=\"tick\"")
        }
        let middle = [(a[0] + b[0]) / 2 + normal[0] * 0.15, (a[1] + b[1]) / 2 + normal[1] * 0.15]
        let vertical = abs(to[0] - from[0]) < abs(to[1] - from[1])
        let rotate = vertical ? " transform=\"rotate(-90 \(x(middle[0])) \(y(middle[1])))\"" : ""
        text(middle, label, "class=\"dimension-text\" text-anchor=\"middle\"\(rotate)", dy: 4)
        body += "</g>\n"
    }

    /// The whole sheet: the drawing's own styles (no outside stylesheet, so it reads the same
    /// opened alone, in the dashboard or in a Markdown viewer).
    func sheet(width: Double, height: Double, title: String) -> String {
        let style = """
        <style>
        .wall{fill:#333;stroke:none}.gable{fill:#777;stroke:#333;stroke-width:1}
        .door-swing{fill:none;stroke:#333;stroke-width:1}.door-leaf{stroke:#333;stroke-width:2}
        .window-glass{stroke:#2a6fb0;stroke-width:1.5}.opening-box{fill:#fff;stroke:#333;stroke-width:1}
        .room-name{font:bold 14px sans-serif;fill:#111}.room-area{font:12px sans-serif;fill:#333}
        .dimension-line,.extension,.tick{stroke:#c0392b;stroke-width:1}.dimension-text{font:12px sans-serif;fill:#c0392b}
        .eaves{fill:none;stroke:#555;stroke-width:1;stroke-dasharray:6 4}.ridge{stroke:#555;stroke-width:1;stroke-dasharray:10 3 2 3}
        .hole{fill:none;stroke:#333;stroke-width:1;stroke-dasharray:4 3}.stairs{fill:#f3efe6;stroke:#333;stroke-width:1}
        .tread{stroke:#333;stroke-width:0.8}.arrow{stroke:#333;stroke-width:1.2;fill:none}
        .roof{fill:#8a5a44;stroke:#333;stroke-width:1}.slab{fill:#bbb;stroke:#333;stroke-width:1}
        .ground{stroke:#111;stroke-width:2}.level{font:12px sans-serif;fill:#111}.level-line{stroke:#999;stroke-width:0.8;stroke-dasharray:3 3}
        .title{font:bold 16px sans-serif;fill:#111}.note{font:11px sans-serif;fill:#555}
        </style>
        """
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\" "
            + "viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\">\n<title>\(Self.escape(title))</title>\n"
            + "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n\(style)\n\(body)</svg>\n"
    }
}

import Foundation

/// plan.svg: a top view of every storey side by side — walls cut at the openings, doors with
/// their swings, windows, room names and areas, stairs and stairwells, the roof's eaves and
/// ridge over the top storey, and dimension lines on the wall centre lines. Drawn from the same
/// BuildingFacts as design.md; each element carries its numbers as data-* attributes.
struct PlanDrawing {
    let facts: BuildingFacts
    let language: DesignLanguage
    static let scale = 50.0
    static let margin = 2.0

    func render() -> String? {
        guard let box = facts.footprint ?? facts.centreLines, !facts.storeys.isEmpty else { return nil }
        var low = [box[0], box[1]], high = [box[2], box[3]]
        for roof in facts.roofs {
            low = [min(low[0], roof.origin[0] - roof.overhang), min(low[1], roof.origin[1] - roof.overhang)]
            high = [max(high[0], roof.origin[0] + roof.width + roof.overhang), max(high[1], roof.origin[1] + roof.depth + roof.overhang)]
        }
        let panelWidth = (high[0] - low[0] + 2 * Self.margin) * Self.scale
        let panelHeight = (high[1] - low[1] + 2 * Self.margin) * Self.scale + 30
        var sheet = SVGCanvas(scale: 1, originX: 0, topY: 0)
        for (index, storey) in facts.storeys.enumerated() {
            var canvas = SVGCanvas(scale: Self.scale, originX: low[0] - Self.margin, topY: high[1] + Self.margin)
            draw(storey, on: &canvas, top: index == facts.storeys.count - 1)
            let title = language == .ja ? "\(storey.number)階 平面図" : "Storey \(storey.number) plan"
            sheet.raw("<g class=\"storey\" data-storey=\"\(storey.number)\" data-level=\"\(SVGCanvas.data(storey.level))\" "
                + "transform=\"translate(\(SVGCanvas.number(Double(index) * panelWidth)),30)\">\n"
                + "<text x=\"10\" y=\"-10\" class=\"title\">\(SVGCanvas.escape(title))</text>\n\(canvas.body)</g>\n")
        }
        let note = language == .ja ? "寸法は壁芯 (m)" : "dimensions in metres on wall centre lines"
        sheet.raw("<text x=\"10\" y=\"\(SVGCanvas.number(panelHeight + 15))\" class=\"note\">\(SVGCanvas.escape(note)) · N ↑</text>\n")
        return sheet.sheet(width: panelWidth * Double(facts.storeys.count), height: panelHeight + 25, title: language.words(.plan))
    }

    private func draw(_ storey: BuildingFacts.Storey, on canvas: inout SVGCanvas, top: Bool) {
        for slab in facts.slabs where slab.storey == storey.number {
            for hole in slab.holes {
                canvas.raw("<g class=\"slab-opening\" data-kind=\"\(hole.kind)\" data-slab=\"\(SVGCanvas.escape(slab.name))\" data-x=\"\(SVGCanvas.data(hole.x))\" "
                    + "data-y=\"\(SVGCanvas.data(hole.y))\" data-width=\"\(SVGCanvas.data(hole.width))\" data-depth=\"\(SVGCanvas.data(hole.depth))\">\n")
                let corners = [[hole.x, hole.y], [hole.x + hole.width, hole.y], [hole.x + hole.width, hole.y + hole.depth], [hole.x, hole.y + hole.depth]]
                canvas.polygon(corners, "class=\"hole\"")
                canvas.line(corners[0], corners[2], "class=\"hole\"")
                canvas.line(corners[1], corners[3], "class=\"hole\"")
                canvas.raw("</g>\n")
            }
        }
        for flight in facts.stairs where abs(flight.start[2] - storey.level) < 0.05 { stairs(flight, on: &canvas) }
        for wall in facts.storeyWalls(storey.number) { self.wall(wall, on: &canvas) }
        for room in facts.storeyRooms(storey.number) {
            let centre = [room.x + room.width / 2, room.y + room.depth / 2]
            canvas.raw("<g class=\"room\" data-name=\"\(SVGCanvas.escape(room.name))\" data-width=\"\(SVGCanvas.data(room.width))\" "
                + "data-depth=\"\(SVGCanvas.data(room.depth))\" data-area=\"\(SVGCanvas.data(room.area))\">\n")
            canvas.text(centre, room.name, "class=\"room-name\" text-anchor=\"middle\"", dy: -4)
            let area = Markdown.area(room.area) + (language == .ja ? " / " + Markdown.tatami(room.area) : "")
            canvas.text(centre, area, "class=\"room-area\" text-anchor=\"middle\"", dy: 12)
            canvas.raw("</g>\n")
        }
        if top {
            for roof in facts.roofs { self.roof(roof, on: &canvas) }
        }
        if let lines = lineExtent(storey.number) {
            canvas.dimension([lines[0], lines[1]], [lines[2], lines[1]], normal: [0, -1], offset: 1.2, label: Markdown.metres(lines[2] - lines[0]))
            canvas.dimension([lines[0], lines[1]], [lines[0], lines[3]], normal: [-1, 0], offset: 1.2, label: Markdown.metres(lines[3] - lines[1]))
        }
    }

    private func lineExtent(_ storey: Int) -> [Double]? {
        let rooms = facts.storeyRooms(storey)
        guard !rooms.isEmpty else { return facts.centreLines }
        return [rooms.map(\.x).min()!, rooms.map(\.y).min()!, rooms.map { $0.x + $0.width }.max()!, rooms.map { $0.y + $0.depth }.max()!]
    }

    private func wall(_ wall: BuildingFacts.Wall, on canvas: inout SVGCanvas) {
        let dx = wall.end[0] - wall.start[0], dy = wall.end[1] - wall.start[1]
        let length = max(hypot(dx, dy), 1e-9)
        let along = [dx / length, dy / length], normal = [-dy / length, dx / length]
        let half = wall.thickness / 2
        func at(_ t: Double, _ n: Double) -> [Double] {
            [wall.start[0] + along[0] * t + normal[0] * n, wall.start[1] + along[1] * t + normal[1] * n]
        }
        var cursor = 0.0
        canvas.raw("<g class=\"wall\" data-name=\"\(SVGCanvas.escape(wall.name))\" data-length=\"\(SVGCanvas.data(wall.length))\" "
            + "data-thickness=\"\(SVGCanvas.data(wall.thickness))\" data-height=\"\(SVGCanvas.data(wall.height))\">\n")
        for opening in wall.openings where opening.sill < wall.height {
            let left = opening.offset - opening.width / 2
            if left > cursor { canvas.polygon([at(cursor, -half), at(left, -half), at(left, half), at(cursor, half)], "class=\"wall\"") }
            cursor = max(cursor, opening.offset + opening.width / 2)
        }
        if cursor < wall.length { canvas.polygon([at(cursor, -half), at(wall.length, -half), at(wall.length, half), at(cursor, half)], "class=\"wall\"") }
        canvas.raw("</g>\n")
        for opening in wall.openings {
            let left = opening.offset - opening.width / 2, right = opening.offset + opening.width / 2
            var attributes = "class=\"\(opening.kind)\" data-wall=\"\(SVGCanvas.escape(wall.name))\" data-width=\"\(SVGCanvas.data(opening.width))\" "
                + "data-height=\"\(SVGCanvas.data(opening.height))\" data-sill=\"\(SVGCanvas.data(opening.sill))\" data-offset=\"\(SVGCanvas.data(opening.offset))\" "
                + "data-wall-length=\"\(SVGCanvas.data(wall.length))\""
            if let room = opening.room, let side = opening.side {
                attributes += " data-room=\"\(SVGCanvas.escape(room))\" data-side=\"\(side)\" data-side-offset=\"\(SVGCanvas.data(opening.sideOffset ?? 0))\""
            }
            canvas.raw("<g \(attributes)>\n")
            if opening.kind == "door" {
                // The leaf swings into the room: a plan door knows its room's side, else +normal.
                let into = ["south": [0.0, 1.0], "north": [0.0, -1.0], "west": [1.0, 0.0], "east": [-1.0, 0.0]][opening.side ?? ""]
                let inward = into.map { $0[0] * normal[0] + $0[1] * normal[1] < 0 ? -1.0 : 1.0 } ?? 1.0
                let hinge = at(left, inward * half), leafEnd = at(left, inward * (half + opening.width)), jamb = at(right, inward * half)
                canvas.line(hinge, leafEnd, "class=\"door-leaf\"")
                // SVG's sweep flag 1 turns clockwise on screen, where y runs down.
                let cross = (leafEnd[0] - hinge[0]) * -(jamb[1] - hinge[1]) - -(leafEnd[1] - hinge[1]) * (jamb[0] - hinge[0])
                let radius = SVGCanvas.number(opening.width * canvas.scale)
                canvas.raw("<path class=\"door-swing\" d=\"M\(canvas.px(leafEnd)) A\(radius),\(radius) 0 0 \(cross > 0 ? 1 : 0) \(canvas.px(jamb))\"/>\n")
            } else {
                canvas.polygon([at(left, -half), at(right, -half), at(right, half), at(left, half)], "class=\"opening-box\"")
                canvas.line(at(left, 0), at(right, 0), "class=\"window-glass\"")
            }
            canvas.raw("</g>\n")
        }
    }

    private func stairs(_ flight: BuildingFacts.Stairs, on canvas: inout SVGCanvas) {
        let angle = flight.direction * .pi / 180
        let along = [cos(angle), sin(angle)], across = [-sin(angle), cos(angle)]
        func at(_ t: Double, _ s: Double) -> [Double] {
            [flight.start[0] + along[0] * t + across[0] * s, flight.start[1] + along[1] * t + across[1] * s]
        }
        let half = flight.width / 2
        canvas.raw("<g class=\"stairs\" data-name=\"\(SVGCanvas.escape(flight.name))\" data-risers=\"\(flight.risers)\" data-riser=\"\(SVGCanvas.data(flight.riser))\" "
            + "data-tread=\"\(SVGCanvas.data(flight.tread))\" data-run=\"\(SVGCanvas.data(flight.run))\">\n")
        canvas.polygon([at(0, -half), at(flight.run, -half), at(flight.run, half), at(0, half)], "class=\"stairs\"")
        for index in 1..<max(flight.treads, 1) {
            canvas.line(at(Double(index) * flight.tread, -half), at(Double(index) * flight.tread, half), "class=\"tread\"")
        }
        canvas.line(at(0.1, 0), at(flight.run - 0.1, 0), "class=\"arrow\"")
        canvas.line(at(flight.run - 0.1, 0), at(flight.run - 0.35, 0.15), "class=\"arrow\"")
        canvas.line(at(flight.run - 0.1, 0), at(flight.run - 0.35, -0.15), "class=\"arrow\"")
        canvas.text(at(0, 0), language == .ja ? "上り" : "UP", "class=\"note\" text-anchor=\"middle\"", dy: 14)
        canvas.raw("</g>\n")
    }

    private func roof(_ roof: BuildingFacts.Roof, on canvas: inout SVGCanvas) {
        let x0 = roof.origin[0] - roof.overhang, y0 = roof.origin[1] - roof.overhang
        let x1 = roof.origin[0] + roof.width + roof.overhang, y1 = roof.origin[1] + roof.depth + roof.overhang
        canvas.raw("<g class=\"roof-plan\" data-type=\"\(roof.type)\" data-ridge-z=\"\(SVGCanvas.data(roof.ridgeZ))\" data-pitch=\"\(SVGCanvas.data(roof.pitch))\">\n")
        canvas.polygon([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], "class=\"eaves\"")
        if roof.type == "gable" || roof.type == "hip" || roof.type == "irimoya" {
            let inset = roof.type == "gable" ? -roof.overhang : (roof.ridgeAxis == "x" ? roof.depth : roof.width) / 2
            if roof.ridgeAxis == "x" {
                let y = roof.origin[1] + roof.depth / 2
                canvas.line([roof.origin[0] + inset, y], [roof.origin[0] + roof.width - inset, y], "class=\"ridge\"")
            } else {
                let x = roof.origin[0] + roof.width / 2
                canvas.line([x, roof.origin[1] + inset], [x, roof.origin[1] + roof.depth - inset], "class=\"ridge\"")
            }
        }
        canvas.raw("</g>\n")
    }
}

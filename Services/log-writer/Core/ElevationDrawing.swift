import Foundation

/// elevation.svg: the building seen from the south (x across, z up) — slabs, walls, the doors
/// and windows of the south walls, gable walls, the roof's profile, and level marks for every
/// floor, the eaves and the ridge. Same facts as design.md; numbers ride in data-* attributes.
struct ElevationDrawing {
    let facts: BuildingFacts
    let language: DesignLanguage
    static let scale = 50.0
    static let margin = 1.5

    func render() -> String? {
        guard let box = facts.footprint, let bottom = facts.lowestZ, let top = facts.highestZ else { return nil }
        var left = box[0], right = box[2]
        for roof in facts.roofs {
            left = min(left, roof.origin[0] - roof.overhang)
            right = max(right, roof.origin[0] + roof.width + roof.overhang)
        }
        let labelRoom = 3.0  // metres to the right for the level marks
        var canvas = SVGCanvas(scale: Self.scale, originX: left - Self.margin, topY: top + Self.margin)
        for slab in facts.slabs {
            let xs = slab.outline.map { $0[0] }
            guard let low = xs.min(), let high = xs.max() else { continue }
            canvas.polygon([[low, slab.topZ - slab.thickness], [high, slab.topZ - slab.thickness], [high, slab.topZ], [low, slab.topZ]],
                           "class=\"slab\" data-name=\"\(SVGCanvas.escape(slab.name))\"")
        }
        // Back walls first, so the south walls and their openings are drawn over them.
        let south = southWalls()
        for wall in facts.walls.sorted(by: { south.contains($0.name) == false && south.contains($1.name) }) {
            let half = wall.thickness / 2
            let xs = wall.isHorizontal ? [min(wall.start[0], wall.end[0]), max(wall.start[0], wall.end[0])] : [wall.start[0] - half, wall.start[0] + half]
            canvas.polygon([[xs[0], wall.baseZ], [xs[1], wall.baseZ], [xs[1], wall.baseZ + wall.height], [xs[0], wall.baseZ + wall.height]],
                           "class=\"gable\" data-name=\"\(SVGCanvas.escape(wall.name))\"")
            guard south.contains(wall.name) else { continue }
            let direction = wall.end[0] >= wall.start[0] ? 1.0 : -1.0
            for opening in wall.openings {
                let centre = wall.start[0] + direction * opening.offset
                let z0 = wall.baseZ + opening.sill, z1 = z0 + opening.height
                canvas.polygon([[centre - opening.width / 2, z0], [centre + opening.width / 2, z0], [centre + opening.width / 2, z1], [centre - opening.width / 2, z1]],
                               "class=\"opening-box \(opening.kind)\" data-kind=\"\(opening.kind)\" data-width=\"\(SVGCanvas.data(opening.width))\" "
                               + "data-height=\"\(SVGCanvas.data(opening.height))\" data-sill=\"\(SVGCanvas.data(opening.sill))\" data-centre-x=\"\(SVGCanvas.data(centre))\"")
            }
        }
        for gable in facts.gableWalls { self.gable(gable, on: &canvas) }
        for roof in facts.roofs { self.roof(roof, on: &canvas) }
        canvas.line([left - 1, bottom], [right + labelRoom, bottom], "class=\"ground\"")
        levels(on: &canvas, right: right)
        let height = (top - bottom + 2 * Self.margin) * Self.scale + 30
        let width = (right - left + 2 * Self.margin + labelRoom) * Self.scale
        canvas.raw("<text x=\"10\" y=\"20\" class=\"title\">\(SVGCanvas.escape(language.words(.elevation)))</text>\n")
        return canvas.sheet(width: width, height: height, title: language.words(.elevation))
    }

    /// The walls seen from the south: plan walls on a room's south side, else the
    /// southernmost east–west walls of each storey.
    private func southWalls() -> Set<String> {
        var names = Set(facts.walls.filter { $0.bounds.contains { $0.side == "south" } }.map(\.name))
        for storey in facts.storeys {
            let horizontal = facts.storeyWalls(storey.number).filter { $0.isHorizontal && $0.bounds.isEmpty }
            if let lowest = horizontal.map({ $0.start[1] }).min() {
                names.formUnion(horizontal.filter { abs($0.start[1] - lowest) < 0.01 }.map(\.name))
            }
        }
        return names
    }

    private func gable(_ gable: BuildingFacts.GableWall, on canvas: inout SVGCanvas) {
        guard let roof = facts.roofs.first(where: { $0.name == gable.roof }) else { return }
        let attributes = "class=\"gable\" data-name=\"\(SVGCanvas.escape(gable.name))\" data-apex-z=\"\(SVGCanvas.data(gable.apexZ))\""
        if roof.ridgeAxis == "y" {  // its face looks south or north
            let x0 = roof.origin[0], x1 = roof.origin[0] + roof.width
            canvas.polygon([[x0, gable.bottomZ], [x1, gable.bottomZ], [(x0 + x1) / 2, gable.apexZ]], attributes)
        } else {  // seen edge on
            let x = gable.end == "west" ? roof.origin[0] : roof.origin[0] + roof.width
            let half = gable.thickness / 2
            canvas.polygon([[x - half, gable.bottomZ], [x + half, gable.bottomZ], [x + half, gable.apexZ], [x - half, gable.apexZ]], attributes)
        }
    }

    private func roof(_ roof: BuildingFacts.Roof, on canvas: inout SVGCanvas) {
        let x0 = roof.origin[0] - roof.overhang, x1 = roof.origin[0] + roof.width + roof.overhang
        let drop = roof.thickness / max(cos(roof.pitch * .pi / 180), 0.1)
        let attributes = "class=\"roof\" data-name=\"\(SVGCanvas.escape(roof.name))\" data-type=\"\(roof.type)\" data-ridge-z=\"\(SVGCanvas.data(roof.ridgeZ))\" "
            + "data-eave-z=\"\(SVGCanvas.data(roof.eaveZ))\" data-pitch=\"\(SVGCanvas.data(roof.pitch))\""
        let middle = roof.origin[0] + roof.width / 2
        switch (roof.type, roof.ridgeAxis) {
        case ("flat", _):
            canvas.polygon([[x0, roof.baseZ], [x1, roof.baseZ], [x1, roof.ridgeZ], [x0, roof.ridgeZ]], attributes)
        case ("gable", "y"), ("shed", "y"):
            canvas.polygon([[x0, roof.eaveZ - drop], [x0, roof.eaveZ], [middle, roof.ridgeZ], [x1, roof.eaveZ], [x1, roof.eaveZ - drop], [middle, roof.ridgeZ - drop]], attributes)
        case ("hip", "x"), ("irimoya", "x"):
            let half = roof.depth / 2
            canvas.polygon([[x0, roof.eaveZ - drop], [x1, roof.eaveZ - drop], [x1, roof.eaveZ], [roof.origin[0] + roof.width - half, roof.ridgeZ],
                            [roof.origin[0] + half, roof.ridgeZ], [x0, roof.eaveZ]], attributes)
        case ("hip", _), ("irimoya", _):
            canvas.polygon([[x0, roof.eaveZ - drop], [x1, roof.eaveZ - drop], [x1, roof.eaveZ], [middle, roof.ridgeZ], [x0, roof.eaveZ]], attributes)
        default:  // a slope seen face on: from the eave edge up to the ridge
            canvas.polygon([[x0, roof.eaveZ - drop], [x1, roof.eaveZ - drop], [x1, roof.ridgeZ], [x0, roof.ridgeZ]], attributes)
        }
    }

    private func levels(on canvas: inout SVGCanvas, right: Double) {
        var marks: [(String, Double)] = facts.storeys.map { (language == .ja ? "\($0.number)FL" : "Storey \($0.number)", $0.level) }
        for roof in facts.roofs where roof.type != "flat" {
            marks.append((language.words(.eaves), roof.baseZ))
            marks.append((language.words(.ridge), roof.ridgeZ))
        }
        let x = right + 0.5
        for (label, z) in marks {
            canvas.line([right - 0.2, z], [x + 2.3, z], "class=\"level-line\"")
            canvas.text([x, z], "\(label) \(Markdown.metres(z))", "class=\"level\" data-z=\"\(SVGCanvas.data(z))\"", dy: -3)
        }
    }
}

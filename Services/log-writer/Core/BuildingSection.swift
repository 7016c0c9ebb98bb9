import Foundation

/// design.md's description of the building: overall size, storeys, rooms, walls, openings,
/// slabs, roof, stairs and columns, each a table of real numbers in metres and degrees.
struct BuildingSection {
    let facts: BuildingFacts
    let language: DesignLanguage

    private func w(_ word: DesignWord) -> String { language.words(word) }
    private var ja: Bool { language == .ja }

    func render() -> String {
        var out = "## \(w(.building))\n\n" + overall()
        out += storeys() + rooms() + walls() + openings() + slabs() + roofs() + stairs() + columns()
        return out
    }

    private func area(_ value: Double) -> String { Markdown.area(value) + (ja ? " (\(Markdown.tatami(value)))" : "") }

    private func overall() -> String {
        var out = ""
        if let box = facts.footprint {
            out += "- \(w(.overall)): **\(Markdown.metres(box[2] - box[0])) × \(Markdown.metres(box[3] - box[1])) m** (\(w(.outsideFaces)), "
                + "\(Markdown.point([box[0], box[1]])) – \(Markdown.point([box[2], box[3]])))"
            if let lines = facts.centreLines {
                out += "; \(Markdown.metres(lines[2] - lines[0])) × \(Markdown.metres(lines[3] - lines[1])) m \(w(.onCentreLines))"
            }
            out += ".\n"
            out += "- \(w(.footprint)): \(area((box[2] - box[0]) * (box[3] - box[1])))\n"
        }
        if let top = facts.highestZ {
            let ground = facts.storeys.first?.level ?? 0
            out += "- \(w(.height)): \(Markdown.metres(top - ground)) m \(w(.aboveGround)) (z \(Markdown.metres(ground)) → \(Markdown.metres(top)))\n"
        }
        if !facts.rooms.isEmpty {
            out += "- \(w(.totalFloorArea)): **\(area(facts.rooms.map(\.area).reduce(0, +)))**\n"
        }
        return out + "\n"
    }

    private func storeys() -> String {
        guard !facts.storeys.isEmpty else { return "" }
        var out = "### \(w(.storeys))\n\n| \(w(.storey)) | \(w(.floorLevel)) | \(w(.floorHeight)) | \(w(.rooms)) | \(w(.area)) |\n|---|---|---|---|---|\n"
        for storey in facts.storeys {
            let rooms = facts.storeyRooms(storey.number)
            out += "| \(storey.number)\(ja ? "階" : "") | \(Markdown.metres(storey.level)) m | \(storey.height.map { Markdown.metres($0) + " m" } ?? "–") | "
                + "\(rooms.isEmpty ? "–" : rooms.map { Markdown.escape($0.name) }.joined(separator: ", ")) | \(rooms.isEmpty ? "–" : area(rooms.map(\.area).reduce(0, +))) |\n"
        }
        return out + "\n"
    }

    private func rooms() -> String {
        guard !facts.rooms.isEmpty else { return "" }
        var out = "### \(w(.rooms))\n\n| \(w(.room)) | \(w(.storey)) | \(w(.size)) | \(w(.area)) | \(w(.from)) |\n|---|---|---|---|---|\n"
        for room in facts.rooms {
            out += "| \(Markdown.escape(room.name)) | \(room.storey) | \(Markdown.metres(room.width)) × \(Markdown.metres(room.depth)) m | \(area(room.area)) | "
                + "\(Markdown.point([room.x, room.y])) – \(Markdown.point([room.x + room.width, room.y + room.depth])) |\n"
        }
        return out + "\n"
    }

    private func place(_ wall: BuildingFacts.Wall) -> String {
        guard !wall.bounds.isEmpty else { return orientation(wall) }
        return wall.bounds.map { "\(Markdown.escape($0.room)) \(language.side($0.side))" }.joined(separator: ", ")
    }

    private func orientation(_ wall: BuildingFacts.Wall) -> String {
        ja ? (wall.isHorizontal ? "東西方向" : "南北方向") : (wall.isHorizontal ? "east–west" : "north–south")
    }

    private func walls() -> String {
        guard !facts.walls.isEmpty || !facts.gableWalls.isEmpty else { return "" }
        var out = "### \(w(.walls))\n\n| \(w(.object)) | \(w(.storey)) | \(w(.side)) | \(w(.length)) | \(w(.height)) | \(w(.thickness)) | \(w(.from)) → | \(w(.openings)) |\n|---|---|---|---|---|---|---|---|\n"
        for wall in facts.walls.sorted(by: { ($0.storey, $0.name) < ($1.storey, $1.name) }) {
            let openings = Dictionary(grouping: wall.openings, by: \.kind).sorted { $0.key < $1.key }
                .map { "\($0.value.count) \(language.kind($0.key))" }.joined(separator: ", ")
            out += "| \(Markdown.escape(wall.name)) | \(wall.storey) | \(place(wall)) | \(Markdown.metres(wall.length)) m | \(Markdown.metres(wall.height)) m | "
                + "\(Markdown.metres(wall.thickness)) m | \(Markdown.point(wall.start)) → \(Markdown.point(wall.end)) | \(openings.isEmpty ? "–" : openings) |\n"
        }
        for gable in facts.gableWalls {
            out += "| \(Markdown.escape(gable.name)) | – | \(w(.gables)) \(language.side(gable.end)) (\(Markdown.escape(gable.roof))) | – | "
                + "\(Markdown.metres(gable.bottomZ)) → \(Markdown.metres(gable.apexZ)) m | \(Markdown.metres(gable.thickness)) m | – | – |\n"
        }
        return out + "\n"
    }

    private func openings() -> String {
        let all = facts.walls.flatMap { wall in wall.openings.map { (wall, $0) } }
        guard !all.isEmpty else { return "" }
        var out = "### \(w(.openings))\n\n| \(w(.kind)) | \(w(.wall)) | \(w(.side)) | \(w(.widthHeight)) | \(w(.sill)) | \(w(.position)) |\n|---|---|---|---|---|---|\n"
        for (wall, opening) in all {
            let end = wall.isHorizontal ? (ja ? "西端" : "west end") : (ja ? "南端" : "south end")
            var position = ja ? "\(end)から中心まで \(Markdown.metres(opening.offset)) m" : "centre \(Markdown.metres(opening.offset)) m from the wall's \(end)"
            var side = place(wall)
            if let room = opening.room, let sideName = opening.side, let along = opening.sideOffset {
                side = "\(Markdown.escape(room)) \(language.side(sideName))"
                let roomFacts = facts.rooms.first { $0.name == room && $0.storey == wall.storey }
                let sideLength = roomFacts.map { sideName == "north" || sideName == "south" ? $0.width : $0.depth }
                let centred = sideLength.map { abs(along - $0 / 2) < 0.005 } ?? false
                position += ja ? "（室の\(language.side(sideName))側の辺に沿って \(Markdown.metres(along)) m\(centred ? "、中央" : "")）"
                    : "; \(Markdown.metres(along)) m along the \(sideName) side of \(Markdown.escape(room))\(centred ? " (\(w(.centred)))" : "")"
            }
            out += "| \(language.kind(opening.kind)) | \(Markdown.escape(wall.name)) | \(side) | \(Markdown.metres(opening.width)) × \(Markdown.metres(opening.height)) m | "
                + "\(Markdown.metres(opening.sill)) m | \(position) |\n"
        }
        return out + "\n"
    }

    private func slabs() -> String {
        guard !facts.slabs.isEmpty else { return "" }
        var out = "### \(w(.slabs))\n\n| \(w(.object)) | \(w(.storey)) | \(w(.outline)) | \(w(.thickness)) | \(w(.top)) | \(w(.area)) | \(w(.holes)) |\n|---|---|---|---|---|---|---|\n"
        for slab in facts.slabs.sorted(by: { ($0.storey, $0.name) < ($1.storey, $1.name) }) {
            let outline = slab.outline.count > 6 ? "\(slab.outline.count) points" : slab.outline.map(Markdown.point).joined(separator: " ")
            let holes = slab.holes.map { "\(language.kind($0.kind)) \(Markdown.metres($0.width)) × \(Markdown.metres($0.depth)) m at \(Markdown.point([$0.x, $0.y]))" }
            out += "| \(Markdown.escape(slab.name)) | \(slab.storey) | \(outline) | \(Markdown.metres(slab.thickness)) m | \(Markdown.metres(slab.topZ)) m | "
                + "\(area(slab.area)) | \(holes.isEmpty ? "–" : holes.joined(separator: "; ")) |\n"
        }
        return out + "\n"
    }

    private func roofs() -> String {
        guard !facts.roofs.isEmpty else { return "" }
        var out = "### \(w(.roof))\n\n| \(w(.object)) | \(w(.type)) | \(w(.pitch)) | \(w(.ridgeRuns)) | \(w(.overhang)) | \(w(.eaves)) | \(w(.ridge)) | \(w(.gables)) |\n|---|---|---|---|---|---|---|---|\n"
        for roof in facts.roofs {
            // 寸 勾配: the rise per 10 of run, how a Japanese drawing gives a pitch.
            let sun = String(format: "%.1f寸", tan(roof.pitch * .pi / 180) * 10)
            let pitch = roof.type == "flat" ? "–" : Markdown.degrees(roof.pitch) + (ja ? "（\(sun)勾配）" : "")
            let axis = roof.ridgeAxis == "x" ? (ja ? "東西" : "x (east–west)") : (ja ? "南北" : "y (north–south)")
            let gables = facts.gableWalls.filter { $0.roof == roof.name }
            let ends = roof.type != "gable" ? "–" : gables.isEmpty ? w(.open)
                : gables.map { "\(language.side($0.end)): \(Markdown.escape($0.name))" }.joined(separator: ", ")
            out += "| \(Markdown.escape(roof.name)) | \(language.kind(roof.type)) | \(pitch) | \(roof.type == "flat" || roof.type == "shed" ? "–" : axis) | \(Markdown.metres(roof.overhang)) m | "
                + "\(Markdown.metres(roof.baseZ)) m (eave edge \(Markdown.metres(roof.eaveZ)) m) | **\(Markdown.metres(roof.ridgeZ)) m** | \(ends) |\n"
        }
        for roof in facts.roofs {
            out += "\n\(Markdown.escape(roof.name)): \(Markdown.metres(roof.width)) × \(Markdown.metres(roof.depth)) m \(w(.onCentreLines)) from \(Markdown.point(roof.origin)), "
                + "thickness \(Markdown.metres(roof.thickness)) m\(roof.ridgeLength.map { ", ridge \(Markdown.metres($0)) m long" } ?? "").\n"
        }
        return out + "\n"
    }

    private func stairs() -> String {
        guard !facts.stairs.isEmpty else { return "" }
        var out = "### \(w(.stairs))\n\n| \(w(.object)) | \(w(.from)) | \(w(.rise)) | \(w(.riser)) | \(w(.tread)) | Run | Width | 2R + T |\n|---|---|---|---|---|---|---|---|\n"
        for flight in facts.stairs {
            let direction = ["0": "east", "90": "north", "180": "west", "270": "south", "-90": "south"][String(format: "%.0f", flight.direction)]
            out += "| \(Markdown.escape(flight.name)) | \(Markdown.point(flight.start)), climbing \(direction.map(language.side) ?? Markdown.degrees(flight.direction)) | "
                + "\(Markdown.metres(flight.totalRise)) m | \(flight.risers) × \(String(format: "%.3f", flight.riser)) m | \(flight.treads) × \(Markdown.metres(flight.tread)) m | "
                + "\(Markdown.metres(flight.run)) m | \(Markdown.metres(flight.width)) m | \(Markdown.metres(2 * flight.riser + flight.tread)) m |\n"
        }
        return out + "\n"
    }

    private func columns() -> String {
        guard !facts.columns.isEmpty else { return "" }
        let first = facts.columns[0]
        let shape = language.kind(first["shape"]?.stringValue ?? "square")
        return "### \(w(.columns))\n\n\(facts.columns.count) × \(shape), \(Markdown.metres(first["width"]?.doubleValue ?? 0)) m, "
            + "\(w(.height)) \(Markdown.metres(first["height"]?.doubleValue ?? 0)) m.\n\n"
    }
}

import BusMessages
import Foundation

/// The building a session made, read back from state.json: every object an architecture tool
/// made carries what it is (`arch`, the addon's `bmcp_arch` custom property), so rooms, walls,
/// openings, slabs, roofs and stairs are known facts, not guesses from names. What no
/// architecture tool made is an "other object"; the template's untouched camera and sun are
/// neither. design.md and the SVG drawings are both written from this one reading.
struct BuildingFacts {
    struct Room {
        var name: String
        var x, y, width, depth: Double
        var storey: Int
        var area: Double { width * depth }
    }

    struct Opening {
        var kind: String
        var width, height, sill: Double
        /// From the wall's start (its west or south end) to the opening's centre.
        var offset: Double
        var room: String?
        var side: String?
        /// From the room side's west or south end to the centre (plan doors).
        var sideOffset: Double?
    }

    struct Wall {
        var name: String
        var start, end: [Double]
        var length, height, thickness, baseZ: Double
        var storey: Int
        var bounds: [(room: String, side: String)]
        var openings: [Opening]
        var isHorizontal: Bool { abs(end[1] - start[1]) < abs(end[0] - start[0]) }
    }

    struct SlabHole { var kind: String; var x, y, width, depth: Double }

    struct Slab {
        var name: String
        var outline: [[Double]]
        var thickness, topZ, area: Double
        var storey: Int
        var holes: [SlabHole]
    }

    struct Roof {
        var name, type, ridgeAxis: String
        var width, depth, pitch, overhang, thickness, baseZ, eaveZ, ridgeZ: Double
        var origin: [Double]
        var ridgeLength: Double?
    }

    struct GableWall { var name, roof, end: String; var thickness, bottomZ, apexZ: Double }

    struct Stairs {
        var name: String
        var start: [Double]
        var direction, totalRise, width, riser, tread, run, pitch: Double
        var risers, treads: Int
    }

    struct Storey { var number: Int; var level: Double; var height: Double? }

    var rooms: [Room] = []
    var walls: [Wall] = []
    var slabs: [Slab] = []
    var roofs: [Roof] = []
    var gableWalls: [GableWall] = []
    var stairs: [Stairs] = []
    var columns: [JSONValue] = []
    var storeys: [Storey] = []
    /// Objects no architecture tool made (and not the template's untouched camera or sun).
    var others: [JSONValue] = []
    /// Plan extent of walls and slabs (outside faces): min x, min y, max x, max y.
    var footprint: [Double]?
    /// Plan extent of the wall centre lines, as the plan is dimensioned.
    var centreLines: [Double]?
    var lowestZ: Double?
    var highestZ: Double?

    var isEmpty: Bool { walls.isEmpty && slabs.isEmpty && roofs.isEmpty && stairs.isEmpty && columns.isEmpty && gableWalls.isEmpty }

    init(scene: JSONValue?) {
        let objects = scene?["objects"]?.arrayValue ?? []
        var low = [Double.infinity, .infinity, .infinity], high = [-Double.infinity, -.infinity, -.infinity]
        var levels: [(z: Double, storey: Int?)] = []
        for object in objects {
            if object["template_default"]?.boolValue == true { continue }
            guard let arch = object["arch"], let kind = arch["kind"]?.stringValue else {
                others.append(object)
                continue
            }
            let name = object["name"]?.stringValue ?? "?"
            let storey = arch["storey"]?.intValue.map(Int.init)
            switch kind {
            case "wall":
                let base = arch["base_z"]?.doubleValue ?? 0
                levels.append((base, storey))
                walls.append(Wall(
                    name: name, start: Self.vector(arch["start"], count: 2) ?? [0, 0], end: Self.vector(arch["end"], count: 2) ?? [0, 0],
                    length: arch["length"]?.doubleValue ?? 0, height: arch["height"]?.doubleValue ?? 0,
                    thickness: arch["thickness"]?.doubleValue ?? 0, baseZ: base, storey: storey ?? 0,
                    bounds: (arch["bounds"]?.arrayValue ?? []).compactMap { bound in
                        guard let room = bound["room"]?.stringValue, let side = bound["side"]?.stringValue else { return nil }
                        return (room, side)
                    },
                    openings: Self.openings(arch["openings"])))
                for bound in arch["bounds"]?.arrayValue ?? [] {
                    guard let room = bound["room"]?.stringValue, let x = bound["x"]?.doubleValue, let y = bound["y"]?.doubleValue,
                          let width = bound["width"]?.doubleValue, let depth = bound["depth"]?.doubleValue else { continue }
                    let level = storey ?? 0
                    if !rooms.contains(where: { $0.name == room && $0.storey == level && $0.x == x && $0.y == y }) {
                        rooms.append(Room(name: room, x: x, y: y, width: width, depth: depth, storey: level))
                    }
                }
            case "slab":
                let top = arch["top_z"]?.doubleValue ?? 0
                levels.append((top, storey))
                slabs.append(Slab(
                    name: name, outline: arch["outline"]?.arrayValue?.compactMap { Self.vector($0, count: 2) } ?? [],
                    thickness: arch["thickness"]?.doubleValue ?? 0, topZ: top, area: arch["area"]?.doubleValue ?? 0,
                    storey: storey ?? 0,
                    holes: (arch["openings"]?.arrayValue ?? []).compactMap { hole in
                        guard let x = hole["x"]?.doubleValue, let y = hole["y"]?.doubleValue, let width = hole["width"]?.doubleValue,
                              let depth = hole["depth"]?.doubleValue else { return nil }
                        return SlabHole(kind: hole["kind"]?.stringValue ?? "opening", x: x, y: y, width: width, depth: depth)
                    }))
            case "roof":
                roofs.append(Roof(
                    name: name, type: arch["type"]?.stringValue ?? "?", ridgeAxis: arch["ridge_axis"]?.stringValue ?? "x",
                    width: arch["width"]?.doubleValue ?? 0, depth: arch["depth"]?.doubleValue ?? 0,
                    pitch: arch["pitch_deg"]?.doubleValue ?? 0, overhang: arch["overhang"]?.doubleValue ?? 0,
                    thickness: arch["thickness"]?.doubleValue ?? 0, baseZ: arch["base_z"]?.doubleValue ?? 0,
                    eaveZ: arch["eave_z"]?.doubleValue ?? 0, ridgeZ: arch["ridge_z"]?.doubleValue ?? 0,
                    origin: Self.vector(arch["origin"], count: 2) ?? [0, 0], ridgeLength: arch["ridge_length"]?.doubleValue))
            case "gable_wall":
                gableWalls.append(GableWall(
                    name: name, roof: arch["roof"]?.stringValue ?? "?", end: arch["end"]?.stringValue ?? "?",
                    thickness: arch["thickness"]?.doubleValue ?? 0, bottomZ: arch["bottom_z"]?.doubleValue ?? 0,
                    apexZ: arch["apex_z"]?.doubleValue ?? 0))
            case "stairs":
                stairs.append(Stairs(
                    name: name, start: Self.vector(arch["start"]) ?? [0, 0, 0], direction: arch["direction_deg"]?.doubleValue ?? 0,
                    totalRise: arch["total_rise"]?.doubleValue ?? 0, width: arch["width"]?.doubleValue ?? 0,
                    riser: arch["riser"]?.doubleValue ?? 0, tread: arch["tread"]?.doubleValue ?? 0,
                    run: arch["run"]?.doubleValue ?? 0, pitch: arch["pitch_deg"]?.doubleValue ?? 0,
                    risers: Int(arch["risers"]?.intValue ?? 0), treads: Int(arch["treads"]?.intValue ?? 0)))
            case "column":
                columns.append(arch)
            default:
                break  // opening frames belong to their wall's opening
            }
            if let box = object["world_bounding_box"], let min = Self.vector(box["min"]), let max = Self.vector(box["max"]) {
                for axis in 0..<3 {
                    low[axis] = Swift.min(low[axis], min[axis])
                    high[axis] = Swift.max(high[axis], max[axis])
                }
                if kind == "wall" || kind == "slab" || kind == "gable_wall" || kind == "column" {
                    footprint = footprint.map { [Swift.min($0[0], min[0]), Swift.min($0[1], min[1]), Swift.max($0[2], max[0]), Swift.max($0[3], max[1])] }
                        ?? [min[0], min[1], max[0], max[1]]
                }
            }
        }
        if low[2].isFinite { lowestZ = low[2]; highestZ = high[2] }
        assignStoreys(levels)
        let lines = walls.flatMap { wall -> [[Double]] in
            let half = wall.thickness / 2
            // A plan wall runs half a thickness past the centre lines it closes.
            return wall.isHorizontal ? [[Swift.min(wall.start[0], wall.end[0]) + half, wall.start[1]], [Swift.max(wall.start[0], wall.end[0]) - half, wall.end[1]]]
                : [[wall.start[0], Swift.min(wall.start[1], wall.end[1]) + half], [wall.end[0], Swift.max(wall.start[1], wall.end[1]) - half]]
        }
        if !lines.isEmpty {
            centreLines = [lines.map { $0[0] }.min()!, lines.map { $0[1] }.min()!, lines.map { $0[0] }.max()!, lines.map { $0[1] }.max()!]
        }
        rooms.sort { ($0.storey, $0.y, $0.x) < ($1.storey, $1.y, $1.x) }
    }

    /// Storeys: numbered as the tools said, else by floor level from the ground up; a storey's
    /// height is the distance to the next level (the top one's is its walls' height).
    private mutating func assignStoreys(_ levels: [(z: Double, storey: Int?)]) {
        var byNumber: [Int: Double] = [:]
        for level in levels where level.storey != nil { byNumber[level.storey!] = byNumber[level.storey!].map { Swift.min($0, level.z) } ?? level.z }
        let untagged = Array(Set(levels.filter { $0.storey == nil }.map { ($0.z * 1000).rounded() / 1000 })).sorted()
        for z in untagged where !byNumber.values.contains(where: { abs($0 - z) < 0.05 }) {
            let below = byNumber.filter { $0.value < z }.keys.max() ?? 0
            var number = below + 1
            while byNumber[number] != nil { number += 1 }
            byNumber[number] = z
        }
        func number(for z: Double, given: Int) -> Int {
            if given > 0 { return given }
            return byNumber.min { abs($0.value - z) < abs($1.value - z) }?.key ?? 1
        }
        for index in walls.indices { walls[index].storey = number(for: walls[index].baseZ, given: walls[index].storey) }
        for index in slabs.indices { slabs[index].storey = number(for: slabs[index].topZ, given: slabs[index].storey) }
        for index in rooms.indices where rooms[index].storey == 0 {
            let wall = walls.first { wall in wall.bounds.contains { $0.room == rooms[index].name } }
            rooms[index].storey = wall?.storey ?? 1
        }
        let sorted = byNumber.sorted { $0.key < $1.key }
        storeys = sorted.enumerated().map { index, entry in
            let next = index + 1 < sorted.count ? sorted[index + 1].value - entry.value : nil
            let wallHeight = walls.filter { $0.storey == entry.key }.map(\.height).max()
            return Storey(number: entry.key, level: entry.value, height: next ?? wallHeight)
        }
    }

    func storeyWalls(_ storey: Int) -> [Wall] { walls.filter { $0.storey == storey } }
    func storeyRooms(_ storey: Int) -> [Room] { rooms.filter { $0.storey == storey } }

    private static func openings(_ value: JSONValue?) -> [Opening] {
        (value?.arrayValue ?? []).compactMap { opening in
            guard let width = opening["width"]?.doubleValue, let height = opening["height"]?.doubleValue,
                  let offset = opening["offset"]?.doubleValue else { return nil }
            return Opening(kind: opening["kind"]?.stringValue ?? "opening", width: width, height: height,
                           sill: opening["sill"]?.doubleValue ?? 0, offset: offset, room: opening["room"]?.stringValue,
                           side: opening["side"]?.stringValue, sideOffset: opening["side_offset"]?.doubleValue)
        }.sorted { $0.offset < $1.offset }
    }

    static func vector(_ value: JSONValue?, count: Int = 3) -> [Double]? {
        guard let items = value?.arrayValue?.compactMap(\.doubleValue), items.count >= count else { return nil }
        return items
    }
}

/// Every phrase design.md and the drawings use, by meaning.
enum DesignWord: Hashable {
    case purpose, building, storeys, rooms, walls, openings, slabs, roof, stairs, columns, drawings, materials, others
    case timeline, render, footprint, totalFloorArea, plan, elevation, nothing, noBuilding
    case storey, floorLevel, floorHeight, room, size, area, wall, side, length, height, thickness, kind, widthHeight
    case sill, position, outline, top, holes, type, pitch, overhang, eaves, ridge, ridgeRuns, gables, open
    case riser, tread, flight, rise, object, location, collection, centred, from
    case step, outcome, time, overall, commands, built, outsideFaces, onCentreLines, aboveGround
    case brief, argument, asked, entryRange, measured, check, byDefault, askedOutside, builtOutside, allWithin, outsideCount
}

import BusMessages
import Foundation
import ServiceKit

/// A Blender instance a bridge holds, as announced in its READY.
public struct BlenderInstance: Sendable, Equatable {
    public var id: String
    public var blenderVersion: String
    public var address: String
    public var capacity: Int
    /// "gui" for a Blender the user sits in front of (see SessionHome.swift), else "headless".
    public var mode: String
    /// A GUI Blender's home session: the user's own scene, and its name (the .blend's).
    public var homeSession: String?
    public var homeName: String?
    /// The Blender process (the addon's boot id): the same id with a new boot is a restarted
    /// Blender that holds none of the scenes the broker placed on it.
    public var boot: String?

    init(_ value: JSONValue, bridge: String) {
        id = value["id"]?.stringValue ?? "\(bridge)/0"
        blenderVersion = value["blender_version"]?.stringValue ?? "unknown"
        address = value["address"]?.stringValue ?? ""
        capacity = Int(value["capacity"]?.intValue ?? 1)
        mode = value["mode"]?.stringValue ?? "headless"
        homeSession = value["home_session"]?.stringValue
        homeName = value["home_name"]?.stringValue
        boot = value["boot"]?.stringValue
    }

    var isGUI: Bool { mode == "gui" }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["id": .string(id), "blender_version": .string(blenderVersion),
                                           "address": .string(address), "capacity": .int(Int64(capacity)), "mode": .string(mode)]
        if let homeSession { fields["home_session"] = .string(homeSession) }
        if let homeName { fields["home_name"] = .string(homeName) }
        if let boot { fields["boot"] = .string(boot) }
        return .object(fields)
    }
}

/// One registered blender-bridge, keyed by its ZeroMQ routing id on the workers ROUTER.
struct BridgeRecord {
    let routingID: Data
    var name: String
    var instances: [BlenderInstance]
    /// Monotonic nanoseconds after which the bridge counts as dead (heartbeat liveness).
    var expiry: UInt64
    var lastSeen: UInt64
    var inFlight: Set<UInt64> = []
}

/// The live bridges and their liveness, per Majordomo: any message from a bridge proves it
/// alive; silence for `liveness` heartbeat intervals makes it dead.
struct BridgeRegistry {
    let heartbeat: Duration
    let liveness: UInt64 = 3
    private(set) var bridges: [Data: BridgeRecord] = [:]
    private var rotation: UInt64 = 0
    /// The last boot id seen for each instance id, kept after its bridge goes: a worker brought
    /// back by a restart policy announces the same id, and only its boot says it is new.
    private var boots: [String: String] = [:]

    init(heartbeat: Duration) {
        self.heartbeat = heartbeat
    }

    var isEmpty: Bool { bridges.isEmpty }

    private var expiryFromNow: UInt64 { MonotonicClock.nanoseconds() + heartbeat.nanoseconds * liveness }

    /// Records a READY; returns true when the bridge is new.
    mutating func register(_ routingID: Data, name: String, instances: [BlenderInstance]) -> Bool {
        let now = MonotonicClock.nanoseconds()
        if var existing = bridges[routingID] {
            existing.name = name
            existing.instances = instances
            existing.expiry = expiryFromNow
            existing.lastSeen = now
            bridges[routingID] = existing
            return false
        }
        bridges[routingID] = BridgeRecord(
            routingID: routingID, name: name, instances: instances, expiry: expiryFromNow, lastSeen: now)
        return true
    }

    /// What a READY from `routingID` makes obsolete, taken out of the registry: the other bridges
    /// still listed with one of its instances (the bridge process before a restart, not yet
    /// expired), and the ids of its instances whose Blender restarted since they were last seen.
    /// Call it before `register`.
    mutating func supersede(for routingID: Data, with instances: [BlenderInstance])
        -> (stale: [BridgeRecord], restarted: [String])
    {
        var restarted: [String] = []
        for instance in instances {
            guard let boot = instance.boot else { continue }
            if let known = boots[instance.id], known != boot { restarted.append(instance.id) }
            boots[instance.id] = boot
        }
        let announced = Set(instances.map(\.id))
        let stale = bridges.values.filter { bridge in
            bridge.routingID != routingID && bridge.instances.contains { announced.contains($0.id) }
        }
        for bridge in stale { bridges[bridge.routingID] = nil }
        return (stale, restarted)
    }

    /// Refreshes liveness; false when the bridge is not registered.
    mutating func touch(_ routingID: Data) -> Bool {
        guard var bridge = bridges[routingID] else { return false }
        bridge.expiry = expiryFromNow
        bridge.lastSeen = MonotonicClock.nanoseconds()
        bridges[routingID] = bridge
        return true
    }

    mutating func remove(_ routingID: Data) -> BridgeRecord? {
        bridges.removeValue(forKey: routingID)
    }

    /// Removes and returns every bridge whose liveness ran out.
    mutating func expire() -> [BridgeRecord] {
        let now = MonotonicClock.nanoseconds()
        let dead = bridges.values.filter { $0.expiry < now }
        for bridge in dead { bridges[bridge.routingID] = nil }
        return dead
    }

    /// The least-busy live bridge, rotating among equals so load spreads.
    mutating func pick() -> Data? {
        rotation &+= 1
        let ordered = bridges.values.sorted { $0.routingID.lexicographicallyPrecedes($1.routingID) }
        guard !ordered.isEmpty else { return nil }
        let start = Int(rotation % UInt64(ordered.count))
        let rotated = ordered[start...] + ordered[..<start]
        return rotated.min { $0.inFlight.count < $1.inFlight.count }?.routingID
    }

    mutating func assign(_ requestID: UInt64, to routingID: Data) {
        bridges[routingID]?.inFlight.insert(requestID)
    }

    mutating func complete(_ requestID: UInt64, on routingID: Data) {
        bridges[routingID]?.inFlight.remove(requestID)
    }

    func summary() -> JSONValue {
        let now = MonotonicClock.nanoseconds()
        return .array(bridges.values.sorted { $0.name < $1.name }.map { bridge in
            ["name": .string(bridge.name),
             "instances": .array(bridge.instances.map(\.json)),
             "in_flight": .int(Int64(bridge.inFlight.count)),
             "last_seen_ms_ago": .int(Int64((now - min(now, bridge.lastSeen)) / 1_000_000))]
        })
    }
}

extension BridgeRegistry {
    /// Every live instance with the bridge that holds it.
    var liveInstances: [(instance: String, bridge: Data, inFlight: Int)] {
        bridges.values.flatMap { bridge in
            bridge.instances.map { (instance: $0.id, bridge: bridge.routingID, inFlight: bridge.inFlight.count) }
        }
    }

    func bridge(holding instance: String) -> Data? {
        bridges.values.first { $0.instances.contains { $0.id == instance } }?.routingID
    }

    /// The announced instance called `id`, if a live bridge holds it.
    func instance(_ id: String) -> BlenderInstance? {
        for bridge in bridges.values {
            if let found = bridge.instances.first(where: { $0.id == id }) { return found }
        }
        return nil
    }

    func holds(_ bridge: Data, instance: String) -> Bool {
        bridges[bridge]?.instances.contains { $0.id == instance } ?? false
    }
}

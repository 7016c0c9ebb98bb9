/// Op names on the bus. Scene ops are executed by the addon inside Blender; the rest are
/// answered by the service that owns them.
public enum Op {
    // Addon (through broker and bridge)
    public static let sceneInfo = "scene.info"
    public static let objectInfo = "object.info"
    public static let codeExecute = "code.execute"
    public static let addonHealth = "addon.health"

    // session-broker itself
    public static let brokerHealth = "broker.health"

    // prompt-service
    public static let promptsList = "prompts.list"

    // Any service's query socket
    public static let health = "health"
}

/// Event names published on the bus.
public enum EventName {
    public static let commandStarted = "command.started"
    public static let commandCompleted = "command.completed"
    public static let commandFailed = "command.failed"
    public static let bridgeJoined = "bridge.joined"
    public static let bridgeLost = "bridge.lost"
}

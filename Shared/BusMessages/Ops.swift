/// Op names on the bus. Scene ops are executed by the addon inside Blender; the rest are
/// answered by the service that owns them.
public enum Op {
    // Addon (through broker and bridge)
    public static let sceneInfo = "scene.info"
    public static let objectInfo = "object.info"
    public static let codeExecute = "code.execute"
    public static let addonHealth = "addon.health"
    public static let sceneSnapshot = "scene.snapshot"

    /// Ops that only read the scene. Observers (log-writer, dashboards) may send these for a
    /// session without owning it, and they do not count as the session being used.
    public static let readOnly: Set<String> = [sceneInfo, objectInfo, sceneSnapshot, addonHealth, sessionStatus]

    // session-broker itself
    public static let brokerHealth = "broker.health"
    public static let sessionCreate = "session.create"
    public static let sessionList = "session.list"
    public static let sessionGet = "session.get"
    public static let sessionAttach = "session.attach"
    public static let sessionDetach = "session.detach"
    public static let sessionClose = "session.close"
    public static let sessionResume = "session.resume"
    /// The home session of a GUI Blender (the user's own scene), registered on first ask.
    public static let sessionHome = "session.home"
    public static let instanceList = "instance.list"
    public static let eventsReplay = "events.replay"

    // Addon session support, sent by the broker
    public static let sessionCheckpoint = "session.checkpoint"
    public static let sessionRelease = "session.release"
    public static let sessionStatus = "session.status"
    /// Open the session's newest readable checkpoint; answers the journal number it holds.
    public static let sessionRestore = "session.restore"

    /// Ops whose effect on the scene the session journal keeps, to replay after a crash: every
    /// addon op but those that only read, the broker's own session ops, and those whose effect
    /// is a file outside the scene (renders, exports, saves).
    public static func isJournaled(_ op: String) -> Bool {
        !readOnly.contains(op) && !op.hasPrefix("session.") && !op.hasPrefix("render.")
            && !notJournaled.contains(op)
    }

    static let notJournaled: Set<String> = ["collection.list", "file.export", "file.save", "addon.health"]

    // prompt-service
    public static let promptsList = "prompts.list"
    public static let promptsSearch = "prompts.search"
    public static let promptsGet = "prompts.get"
    public static let promptsComplete = "prompts.complete"
    /// The brief a session keeps of the prompt it began from (create_session's `prompt`).
    public static let promptsBrief = "prompts.brief"

    // log-writer
    public static let logsRead = "logs.read"
    public static let logsSessions = "logs.sessions"

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
    public static let sessionCreated = "session.created"
    public static let sessionResumed = "session.resumed"
    public static let sessionClosed = "session.closed"
    public static let sessionLost = "session.lost"
    public static let sessionRehomed = "session.rehomed"
    public static let sessionIdle = "session.idle"
    public static let sessionCheckpointed = "session.checkpointed"
    /// A session came back from a checkpoint and its journal: `{restored_from, journal_seq, replayed}`.
    public static let sessionRestored = "session.restored"
    /// A replay failed: the scene lacks that command and those after it.
    public static let sessionDiverged = "session.diverged"
    public static let busHead = "bus.head"
    public static let logUpdated = "log.updated"
    public static let promptsChanged = "prompts.changed"
}

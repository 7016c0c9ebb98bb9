import BusMessages
import Foundation
import Logging
import ServiceKit
import ZeroMQ

public struct LogWriterConfiguration: Sendable {
    public var eventsOutEndpoint: String
    public var eventsInEndpoint: String
    public var brokerEndpoint: String
    public var queryEndpoint: String
    public var dataDirectory: String
    /// design.md's language: auto, en or ja (`DesignLanguage.choose`).
    public var designLanguage: String
    /// BMCP_LOG_OPEN_FILES and BMCP_LOG_BACKLOG_BYTES (Limits.swift).
    public var openFiles: Int
    public var backlogBytes: Int

    public init(eventsOutEndpoint: String, eventsInEndpoint: String, brokerEndpoint: String,
                queryEndpoint: String, dataDirectory: String, designLanguage: String = "auto",
                openFiles: Int = Settings.logOpenFiles.defaultCount, backlogBytes: Int = Settings.logBacklogBytes.defaultCount) {
        self.designLanguage = designLanguage
        self.openFiles = openFiles
        self.backlogBytes = backlogBytes
        self.eventsOutEndpoint = eventsOutEndpoint
        self.eventsInEndpoint = eventsInEndpoint
        self.brokerEndpoint = brokerEndpoint
        self.queryEndpoint = queryEndpoint
        self.dataDirectory = dataDirectory
    }
}

/// Writes every session's files, losing nothing.
///
/// - `events` SUB on the proxy's XPUB: the broker's "session/" events and its "bus.head".
///   PUB/SUB drops messages when a subscriber is slow, late or restarting, so each event's
///   sequence number is checked (`EventSequencer`) and what is missing is fetched again from
///   the broker's history (`events.replay`, the Clone pattern). Recovery reads the logs
///   themselves, so a restart neither loses nor repeats a line.
/// - `broker` DEALER: replays, and `scene.snapshot` after a scene changed (state.json).
/// - `queries` ROUTER: `logs.read`, `logs.sessions`, `health`.
/// - `updates` PUB: `log.updated` when a session's file changed (MCP resource updates).
///
/// Loop-confined.
public final class LogWriter {
    static let brokerPrefix = "session-broker/"

    private let loop: SocketLoop
    private let logger: Logger
    private let events: Socket
    private let files: SessionFiles
    private let broker: RequestLink
    private let updates: EventPublisher
    private let codec = EnvelopeCodec()
    private var queries: QueryResponder!
    private var sequencer: EventSequencer
    private var replaying: Set<String> = []
    /// Events that could not be written (disk full, read-only), in order, retried every second.
    private var backlog: EventBacklog
    private var writeError: String?
    private var written: UInt64 = 0
    /// state.json and design.md follow a burst of changes: once it pauses, and at least every
    /// few seconds while it goes on (a pure debounce would never fire during a long burst).
    private var snapshots: Debouncer!
    private var designs: Debouncer!
    private let designLanguage: String
    static let announceEvery = Duration.milliseconds(100)
    /// When each session file's last `log.updated` went out, and its pending trailing one.
    private var announced: [String: (at: UInt64, trailing: Int?)] = [:]

    public init(loop: SocketLoop, configuration: LogWriterConfiguration) throws {
        self.loop = loop
        logger = loop.logger
        files = SessionFiles(dataDirectory: configuration.dataDirectory, openFiles: configuration.openFiles)
        backlog = EventBacklog(capacity: configuration.backlogBytes)
        designLanguage = configuration.designLanguage
        sequencer = EventSequencer(last: files.recoverLastSequences())
        broker = try RequestLink(loop: loop, endpoint: configuration.brokerEndpoint)
        updates = try EventPublisher(loop: loop, endpoint: configuration.eventsInEndpoint, source: "log-writer/\(instanceTag())")
        events = try loop.makeSocket(.sub)
        try events.set(.receiveHighWaterMark(100_000))
        try events.set(.subscribe(Data("session/".utf8)))
        try events.set(.subscribe(Data("service/\(Self.brokerPrefix)".utf8)))
        try loop.connect(events, to: configuration.eventsOutEndpoint)
        queries = try QueryResponder(loop: loop, endpoint: configuration.queryEndpoint, source: "log-writer")
        answerQueries()
        loop.watch(events) { [unowned self] in try self.drainEvents() }
        loop.every(.seconds(1)) { [unowned self] in self.retryBacklog() }
        snapshots = Debouncer(loop: loop, quiet: .milliseconds(300), ceiling: .seconds(5))
        designs = Debouncer(loop: loop, quiet: .milliseconds(500), ceiling: .seconds(5))
        repairStates()
        logger.info("log-writer writing to \(files.root.path); resuming after \(sequencer.last.count) publisher(s)")
        catchUpAtStart()
        if let problem = files.writableError() {
            writeError = problem.description
            logger.error("cannot write session files (\(problem)); serving reads, and keeping events until the data directory is writable")
        }
    }

    // MARK: Events in

    private func drainEvents() throws {
        while let frames = try events.receive(dontWait: true) {
            guard let payload = frames.last, let event = try? codec.decode(payload),
                  let source = event.source, source.hasPrefix(Self.brokerPrefix) else { continue }
            // Over the backlog's cap: this publisher's events come again from its history.
            if backlog.isShedding(source) { continue }
            if event.op == EventName.busHead {
                if let after = sequencer.missing(source: source, head: event.seq ?? 0) { requestReplay(source, after: after) }
                continue
            }
            let outcome = sequencer.accept(event)
            write(outcome.ready)
            if let after = outcome.missingAfter { requestReplay(source, after: after) }
        }
    }

    /// Asks the broker at once what it published while this log-writer was down, instead of
    /// waiting for its next `bus.head` (a second away) to show the gap.
    private func catchUpAtStart(attempt: Int = 1) {
        let probe = Envelope.request(op: Op.eventsReplay, params: ["source": "", "after_seq": 0, "limit": 1], source: "log-writer")
        broker.send(probe, timeout: .seconds(2)) { [unowned self] outcome in
            guard case .success(let reply) = outcome, reply.kind == .reply, let source = reply.result?["source"]?.stringValue,
                  source.hasPrefix(Self.brokerPrefix) else {
                // No broker yet: its bus.head will say where it stands once it is up.
                if attempt < 3 { loop.after(.seconds(1)) { [unowned self] in self.catchUpAtStart(attempt: attempt + 1) } }
                return
            }
            let head = UInt64(reply.result?["last_seq"]?.intValue ?? 0)
            if let after = sequencer.missing(source: source, head: head) { requestReplay(source, after: after) }
        }
    }

    private func requestReplay(_ source: String, after: UInt64) {
        guard !backlog.isShedding(source), replaying.insert(source).inserted else { return }
        let request = Envelope.request(op: Op.eventsReplay, params: [
            "source": .string(source), "after_seq": .int(Int64(after)), "limit": 1000], source: "log-writer")
        broker.send(request, timeout: .seconds(5)) { [unowned self] outcome in
            replaying.remove(source)
            guard case .success(let reply) = outcome, reply.kind == .reply, let body = reply.result else {
                logger.warning("replay of \(source) after \(after) failed; retrying")
                loop.after(.seconds(1)) { [unowned self] in self.requestReplay(source, after: self.sequencer.last[source] ?? 0) }
                return
            }
            replayed(source, body)
        }
    }

    private func replayed(_ source: String, _ body: JSONValue) {
        guard body["source"]?.stringValue == source else {
            // The broker restarted: the rest of that run's events are gone with it.
            logger.warning("events of \(source) after seq \(sequencer.last[source] ?? 0) were lost with its restart")
            recordGap(source, from: (sequencer.last[source] ?? 0) + 1, to: nil)
            _ = sequencer.skip(source: source, before: .max)
            return
        }
        let oldest = UInt64(body["oldest_seq"]?.intValue ?? 1)
        let skipped = sequencer.skip(source: source, before: oldest)
        if let lost = skipped.lost { recordGap(source, from: lost.lowerBound, to: lost.upperBound) }
        write(skipped.ready)
        let replayedEvents = body["events"]?.arrayValue ?? []
        for item in replayedEvents {
            guard let value = item["event"], let event = try? Envelope(json: value) else { continue }
            write(sequencer.accept(event).ready)
        }
        let head = UInt64(body["last_seq"]?.intValue ?? 0)
        if let after = sequencer.missing(source: source, head: head) { requestReplay(source, after: after) }
    }

    /// Lost events are said, not skipped silently.
    private func recordGap(_ source: String, from: UInt64, to: UInt64?) {
        let line = "\(Timestamp.now()) events \(from)…\(to.map(String.init) ?? "end") of \(source) could not be recovered\n"
        let file = files.root.deletingLastPathComponent().appendingPathComponent("log-writer/gaps.log")
        try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        if let handle = try? FileHandle(forWritingTo: file) {
            _ = try? handle.seekToEnd()
            try? handle.write(contentsOf: Data(line.utf8))
            try? handle.close()
        } else {
            try? Data(line.utf8).write(to: file)
        }
        logger.error("\(line.trimmingCharacters(in: .newlines))")
    }

    // MARK: Writing

    private func write(_ ready: [Envelope]) {
        guard !ready.isEmpty else { return }
        if !backlog.events.isEmpty {
            hold(ready[...])
            return
        }
        for (index, event) in ready.enumerated() {
            do {
                let changed = try files.record(event)
                written += 1
                // Only a file written proves the disk takes writes again (events without a
                // session write nothing).
                if writeError != nil, !changed.isEmpty {
                    logger.notice("writing again after: \(writeError ?? "")")
                    writeError = nil
                }
                afterWrite(event, changed: changed)
            } catch let error as BusError {
                logger.error("event \(event.seq ?? 0) from \(event.source ?? "?") not logged: \(error.message)")
            } catch {
                // Said once per cause, not at every retry.
                if writeError != "\(error)" {
                    logger.error("cannot write session files (\(error)); keeping events until the data directory is writable")
                }
                writeError = "\(error)"
                hold(ready[index...])
                return
            }
        }
    }

    private func retryBacklog() {
        guard !backlog.isEmpty else {
            // Nothing held, but the directory was unwritable (at start-up): is it now?
            if writeError != nil, files.writableError() == nil {
                logger.notice("data directory writable again after: \(writeError ?? "")")
                writeError = nil
            }
            return
        }
        write(backlog.takeEvents())
        guard backlog.events.isEmpty else { return }
        // Written: what was left to the broker's history is fetched now.
        for (source, seq) in backlog.takeRefetch() {
            logger.notice("fetching the events of \(source) from seq \(seq) again, held back while the data directory could not be written")
            requestReplay(source, after: sequencer.last[source] ?? seq - 1)
        }
    }

    private func hold(_ events: ArraySlice<Envelope>) {
        for event in events {
            guard let start = backlog.hold(event) else { continue }
            sequencer.rewind(source: start.source, before: start.seq)
            logger.critical("log backlog over BMCP_LOG_BACKLOG_BYTES (\(backlog.capacity) bytes) while the data directory cannot be written; events of \(start.source) from seq \(start.seq) will be fetched again from the broker's history")
        }
    }

    private func afterWrite(_ event: Envelope, changed: [String]) {
        guard let session = event.session else { return }
        for file in changed { announce(session, file) }
        // Its log files need no descriptor until it is resumed (OpenFiles.swift).
        if event.op == EventName.sessionClosed {
            files.closeFiles(of: session)
            // Its announcement times go too, but for one whose trailing update is still due.
            announced = announced.filter { key, value in value.trailing != nil || !key.hasPrefix("\(session)/") }
        }
        let op = event.params?["op"]?.stringValue ?? ""
        if event.op == EventName.commandCompleted, !Op.readOnly.contains(op), !op.hasPrefix("render.") {
            scheduleSnapshot(session)
        }
        scheduleDesign(session)
    }

    /// `log.updated` for a session's file: the first change at once, then at most one per
    /// `announceEvery` while changes keep coming (a burst is one trailing update, not thousands).
    private func announce(_ session: String, _ file: String) {
        let key = "\(session)/\(file)"
        let now = MonotonicClock.nanoseconds()
        let every = Self.announceEvery.nanoseconds
        if let last = announced[key] {
            if last.trailing != nil { return }
            if now < last.at + every {
                let timer = loop.after(.nanoseconds(Int64(last.at + every - now))) { [unowned self] in
                    announced[key] = (MonotonicClock.nanoseconds(), nil)
                    updates.publish(EventName.logUpdated, session: session, payload: ["file": .string(file)])
                }
                announced[key] = (last.at, timer)
                return
            }
        }
        announced[key] = (now, nil)
        updates.publish(EventName.logUpdated, session: session, payload: ["file": .string(file)])
    }

    // MARK: state.json and design.md

    /// After a burst of changes, one snapshot of the scene (read-only, as an observer).
    private func scheduleSnapshot(_ session: String) {
        snapshots.schedule(session) { [unowned self] in
            var request = Envelope.request(op: Op.sceneSnapshot, session: session, source: "log-writer")
            request.meta = ["observe": true]
            broker.send(request, timeout: .seconds(30)) { [unowned self] outcome in
                guard case .success(let reply) = outcome, reply.kind == .reply, let scene = reply.result else {
                    logger.debug("no snapshot of \(session): \(String(describing: outcome))")
                    return
                }
                do {
                    try files.replaceState(session, with: ["session_id": .string(session), "updated_at": .string(Timestamp.now()), "scene": scene])
                    announce(session, "state.json")
                    scheduleDesign(session)
                } catch {
                    logger.error("state.json of \(session) not written: \(error)")
                }
            }
        }
    }

    private func scheduleDesign(_ session: String) {
        designs.schedule(session) { [unowned self] in
            let created = files.firstLines(session, file: "events.log", limit: 20).first { $0["event"] == "session.created" }
            let recent = files.commandLines(session, limit: 50)
            let name = created?["name"]?.stringValue ?? session
            let brief = created?["brief"].flatMap { $0 == .null ? nil : $0 }
            let language = DesignLanguage.choose(setting: designLanguage, sessionName: name, brief: brief)
            let scene = files.readJSON(session, file: "state.json")?["scene"]
            let facts = BuildingFacts(scene: scene)
            let plan = PlanDrawing(facts: facts, language: language).render()
            let elevation = ElevationDrawing(facts: facts, language: language).render()
            let document = DesignDocument(
                sessionID: session, name: name, scene: scene,
                steps: recent.lines, totalSteps: recent.total,
                firstStep: files.firstLines(session, file: "command.log", limit: 1).first,
                hasRender: files.hasRender(session), language: language,
                hasDrawings: plan != nil && elevation != nil, brief: brief)
            do {
                if let plan, let elevation {
                    // The drawings first: design.md links them, so they are there when it is read.
                    try files.replaceDesign(session, file: "plan.svg", with: plan)
                    try files.replaceDesign(session, file: "elevation.svg", with: elevation)
                    announce(session, "plan.svg")
                    announce(session, "elevation.svg")
                }
                try files.replaceDesign(session, with: document.render())
                announce(session, "design.md")
            } catch {
                logger.error("design.md of \(session) not written: \(error)")
            }
        }
    }

    /// A state.json that does not parse (a crash mid-write elsewhere, a hand edit) is moved
    /// aside and rebuilt: at once from command.log, then from a fresh snapshot if Blender has it.
    private func repairStates() {
        for session in files.sessionIDs() {
            guard let folder = try? files.folder(session) else { continue }
            let state = folder.appendingPathComponent("state.json")
            guard let data = try? Data(contentsOf: state), (try? JSONParser.parse(data)) == nil else { continue }
            let aside = folder.appendingPathComponent("state.json.corrupt")
            try? FileManager.default.removeItem(at: aside)
            try? FileManager.default.moveItem(at: state, to: aside)
            var names: [String] = []
            for line in files.commandLines(session, limit: .max).lines {
                let removed = Set(line["changed"]?["removed"]?.arrayValue?.compactMap(\.stringValue) ?? [])
                names.removeAll { removed.contains($0) }
                names += line["changed"]?["created"]?.arrayValue?.compactMap(\.stringValue) ?? []
            }
            try? files.replaceState(session, with: [
                "session_id": .string(session), "updated_at": .string(Timestamp.now()), "rebuilt_from_log": true,
                "scene": ["objects": .array(names.map { ["name": .string($0)] })]])
            logger.warning("state.json of \(session) was corrupt; rebuilt from command.log (old copy in state.json.corrupt)")
            scheduleSnapshot(session)
        }
    }

    // MARK: Queries

    private func answerQueries() {
        queries.handle(Op.health) { [unowned self] _ in
            ["status": writeError == nil && backlog.isEmpty ? "ok" : "degraded", "events_written": .int(Int64(written)),
             "backlog": .int(Int64(backlog.events.count)), "backlog_bytes": .int(Int64(backlog.bytes)),
             "reason": writeError.map { .string("cannot write session files (\($0)); \(backlog.summary)") } ?? .null,
             "open_files": .int(Int64(files.openFileCount)),
             "write_error": writeError.map(JSONValue.string) ?? .null,
             "data": .string(files.root.path)]
        }
        queries.handle(Op.logsRead) { [unowned self] request throws(BusError) in
            let params = request.params ?? [:]
            guard let session = params["session_id"]?.stringValue else {
                throw BusError(code: ErrorCode.badParams, message: "logs.read: missing required param 'session_id' (a string)")
            }
            guard let file = params["file"]?.stringValue else {
                throw BusError(code: ErrorCode.badParams, message: "logs.read: missing required param 'file' (a string)")
            }
            func count(_ name: String) -> Int? { params[name]?.intValue.map { Int(clamping: $0) } }
            return try files.read(session, file: file, window: .init(tail: count("tail"), offset: count("offset"), limit: count("limit")))
        }
        queries.handle(Op.logsSessions) { [unowned self] _ in
            ["sessions": .array(files.sessionIDs().map(JSONValue.string))]
        }
    }
}

/// Runs a key's action once calls for it pause for `quiet`, and no later than `ceiling` after
/// the first call it has not run for yet. Loop-confined.
final class Debouncer {
    private let loop: SocketLoop
    private let quiet: UInt64
    private let ceiling: UInt64
    private var pending: [String: (timer: Int, since: UInt64)] = [:]

    init(loop: SocketLoop, quiet: Duration, ceiling: Duration) {
        self.loop = loop
        self.quiet = quiet.nanoseconds
        self.ceiling = ceiling.nanoseconds
    }

    func schedule(_ key: String, _ action: @escaping () -> Void) {
        let now = MonotonicClock.nanoseconds()
        var since = now
        if let current = pending[key] {
            since = current.since
            loop.cancelTimer(current.timer)
        }
        let latest = since + ceiling
        let delay = min(quiet, latest > now ? latest - now : 0)
        let timer = loop.after(.nanoseconds(Int64(delay))) { [unowned self] in
            pending[key] = nil
            action()
        }
        pending[key] = (timer, since)
    }
}

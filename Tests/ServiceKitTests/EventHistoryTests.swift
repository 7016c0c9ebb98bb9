import BusMessages
import Foundation
import Testing
@testable import ServiceKit

/// The publisher's history behind `events.replay`: bounded by count and by bytes, and exact
/// about what it still holds, so a subscriber can tell a gap it can fill from one it cannot.
@Suite struct EventHistoryTests {
    static func payload(_ bytes: Int) -> Data { Data(repeating: 0x61, count: bytes) }

    @Test func anEmptyHistorySaysItHoldsNothing() {
        let history = EventHistory(maxEvents: 10, maxBytes: 1000)
        #expect(history.lastSeq == 0)
        #expect(history.oldestSeq == 1)
        #expect(history.since(0, limit: 10).isEmpty)
    }

    @Test func theCountBoundDropsTheOldestFirst() {
        var history = EventHistory(maxEvents: 100, maxBytes: 1 << 30)
        for seq in 1...10_000 { history.append(seq: UInt64(seq), topic: "t", payload: Self.payload(1)) }
        #expect(history.lastSeq == 10_000)
        #expect(history.oldestSeq == 9_901)
        let all = history.since(0, limit: 1000)
        #expect(all.count == 100)
        #expect(all.first?.seq == 9_901)
        #expect(all.last?.seq == 10_000)
    }

    @Test func theByteBoundDropsTheOldestFirstButKeepsTheNewestEvenIfLarge() {
        var history = EventHistory(maxEvents: 1_000_000, maxBytes: 1000)
        for seq in 1...50 { history.append(seq: UInt64(seq), topic: "t", payload: Self.payload(100)) }
        #expect(history.since(0, limit: 100).count == 10)
        #expect(history.oldestSeq == 41)
        history.append(seq: 51, topic: "big", payload: Self.payload(5000))
        let held = history.since(0, limit: 100)
        #expect(held.map(\.seq) == [51])
        #expect(held.first?.topic == "big")
    }

    @Test func sinceStartsRightAfterTheGivenSeqAndStopsAtTheLimit() {
        var history = EventHistory(maxEvents: 1000, maxBytes: 1 << 20)
        for seq in 1...20 { history.append(seq: UInt64(seq), topic: "t\(seq)", payload: Self.payload(seq)) }
        let page = history.since(5, limit: 3)
        #expect(page.map(\.seq) == [6, 7, 8])
        #expect(page.map(\.topic) == ["t6", "t7", "t8"])
        #expect(history.since(20, limit: 10).isEmpty)
        #expect(history.since(999, limit: 10).isEmpty)
    }

    @Test func compactingAfterManyDropsKeepsTheOrder() {
        var history = EventHistory(maxEvents: 10, maxBytes: 1 << 20)
        for seq in 1...20_000 { history.append(seq: UInt64(seq), topic: "t", payload: Self.payload(1)) }
        #expect(history.since(19_990, limit: 100).map(\.seq) == Array(19_991...20_000).map(UInt64.init))
    }

    @Test func theLimitsAreSettingsWithDefaultsAndNamedErrors() throws {
        #expect(Settings.eventHistoryEvents.defaultCount == 10_000)
        #expect(Settings.eventHistoryBytes.defaultCount == 16 << 20)
        #expect(Settings.sseReplayBytes.defaultCount == 1 << 20)
        let error = #expect(throws: (any Error).self) {
            _ = try Settings.eventHistoryEvents.count("many", in: 1...10)
        }
        #expect("\(error!)".contains("BMCP_EVENT_HISTORY_EVENTS"))
    }
}

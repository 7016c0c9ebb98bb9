import BusMessages
import MCP
import Testing
@testable import MCPFrontCore

/// The catalogue as mcp-front reads it, and the argument checks it compiles from each schema.
@Suite struct ToolArgumentTests {
    let catalogue = ToolCatalogue.bundled
    var objectInfo: CatalogueTool { catalogue.byName["get_object_info"]! }
    var createObject: CatalogueTool { catalogue.byName["create_object"]! }

    @Test func acceptsWellTypedArgumentsAndRenamesForTheOp() throws {
        let checked = try objectInfo.check(["object_name": "Cube", "session_id": "s-1"])
        #expect(objectInfo.params(checked) == ["name": "Cube"])
        #expect(objectInfo.runner == .addon(op: "object.info"))
    }

    @Test func sessionIDMayBeLeftOutButIsCheckedWhenGiven() throws {
        #expect(try objectInfo.check(["object_name": "Cube"]) == ["object_name": "Cube"])
        #expect(try objectInfo.check(["object_name": "Cube", "session_id": "s-1"])["session_id"] == "s-1")
        do {
            _ = try objectInfo.check(["object_name": "Cube", "session_id": 5])
            Issue.record("accepted a number for session_id")
        } catch {
            #expect(error.description == "get_object_info: argument 'session_id' must be a non-empty string, got number 5")
        }
        #expect(throws: ArgumentError.self) { try objectInfo.check(["object_name": "Cube", "session_id": ""]) }
        let log = catalogue.byName["get_session_log"]!
        #expect(try log.check(["session_id": "s-2", "tail": 5]) == ["session_id": "s-2", "tail": 5])
    }

    @Test func wrongTypeNamesTheArgumentAndWhatCame() {
        #expect(throws: ArgumentError.self) { try objectInfo.check(["object_name": 42]) }
        do {
            _ = try objectInfo.check(["object_name": 42])
        } catch {
            #expect(error.description == "get_object_info: argument 'object_name' must be a non-empty string, got number 42")
        }
    }

    @Test func missingRequiredArgumentIsNamedWithWhatItMustBe() {
        do {
            _ = try objectInfo.check([:])
            Issue.record("accepted a call without object_name")
        } catch {
            #expect(error.description == "get_object_info: missing required argument 'object_name' (a non-empty string)")
        }
    }

    @Test func unexpectedArgumentIsNamedWithTheKnownOnes() {
        do {
            _ = try objectInfo.check(["object_name": "Cube", "objectName": "Cube"])
            Issue.record("accepted an unknown argument")
        } catch {
            #expect(error.description == "get_object_info: unexpected argument 'objectName'; it takes object_name")
        }
    }

    @Test func enumsMatchIgnoringCaseAndPassTheDeclaredSpelling() throws {
        let checked = try createObject.check(["type": "light", "light_type": "spot"])
        #expect(checked["light_type"] == "SPOT")
        do {
            _ = try createObject.check(["type": "cubee"])
            Issue.record("accepted an unknown type")
        } catch {
            #expect(error.description.hasPrefix("create_object: argument 'type' must be one of 'cube', 'plane'"))
            #expect(error.description.hasSuffix("got string \"cubee\""))
        }
    }

    @Test func arrayLengthsAndBoundsAreChecked() throws {
        #expect(throws: ArgumentError.self) { try createObject.check(["type": "cube", "location": [1, 2]]) }
        #expect(throws: ArgumentError.self) { try createObject.check(["type": "cube", "size": -1]) }
        #expect(throws: ArgumentError.self) { try createObject.check(["type": "cube", "location": [1, "2", 3]]) }
        let checked = try createObject.check(["type": "cube", "location": [1, 2.5, 3], "size": 2, "name": .null])
        #expect(checked["location"] == [1, 2.5, 3])
        #expect(checked["name"] == Optional.none)  // null means the default, as in the addon
        do {
            _ = try createObject.check(["type": "cube", "location": [1, 2]])
        } catch {
            #expect(error.description == "create_object: argument 'location' must be an array of 3 items, each a number, got array [1,2]")
        }
    }

    @Test func zeroIsAValueNotAnAbsence() throws {
        let rule = ValueRule(["type": "integer", "minimum": 1, "maximum": 32])
        #expect(rule.accept(.int(0)) == Optional.none)
        let schema = try ArgumentSchema(tool: "t", schema: ["type": "object", "properties": ["n": ["type": "integer", "minimum": 1]], "required": []])
        #expect(throws: ArgumentError.self) { try schema.check(["n": .int(0)]) }
        #expect(JSONValue(MCP.Value.int(0)) == .int(0))
        #expect(ValueRule(["type": "array", "items": ["type": "number"], "maxItems": 2]).accept([1, 2, 3]) == Optional.none)
        #expect(ValueRule(["type": "array", "items": ["type": "number"]]).accept([1, "x"]) == Optional.none)
        #expect(ValueRule(["type": "string", "enum": ["a"]]).accept("b") == Optional.none)
    }

    @Test func boundsAreWrittenInTheError() throws {
        let rule = ValueRule(["type": "number", "minimum": 0.1, "maximum": 20])
        #expect(rule.expected == "a number between 0.1 and 20")
        #expect(rule.accept(20) == 20)
        #expect(rule.accept(20.5) == Optional.none)
        #expect(rule.accept(.double(.nan)) == Optional.none)
        #expect(ValueRule(["type": "integer"]).accept(3.0) == .int(3))
        #expect(ValueRule(["type": "integer"]).accept(3.5) == Optional.none)
        #expect(ValueRule(["type": "integer", "minimum": 1]).expected == "an integer of at least 1")
    }

    @Test func everyToolHasSchemaHintsAndAToolset() {
        let toolsets = Set(catalogue.toolsets.map(\.name))
        for tool in catalogue.tools {
            #expect(toolsets.contains(tool.toolset), "\(tool.name)")
            #expect(!(tool.definition.description ?? "").isEmpty, "\(tool.name)")
            #expect(tool.definition.annotations.readOnlyHint != nil, "\(tool.name)")
            guard case .object(let schema) = tool.definition.inputSchema, case .object(let properties)? = schema["properties"] else {
                Issue.record("\(tool.name) has no properties object"); continue
            }
            if tool.inSession { #expect(properties["session_id"] != nil, "\(tool.name)") }
        }
    }

    @Test func coreIsSmallAndToolsetsAddToTheList() {
        let core = catalogue.listed(enabled: [])
        #expect(core.count <= 40)
        #expect(core.contains { $0.name == "enable_toolset" } && core.contains { $0.name == "list_toolsets" })
        let all = catalogue.listed(enabled: Set(catalogue.optionalToolsets))
        #expect(all.count == catalogue.tools.count)
    }

    @Test func sessionToolsRunAsBrokerOps() {
        #expect(catalogue.byName["create_session"]?.runner == .broker(op: "session.create"))
        #expect(catalogue.byName["close_session"]?.runner == .broker(op: "session.close"))
        #expect(catalogue.byName["list_toolsets"]?.runner == .front("list_toolsets"))
    }

    @Test func malformedCataloguesAreRefusedWithTheReason() {
        #expect(throws: CatalogueError.self) { try ToolCatalogue(json: ["version": 2, "tools": [], "toolsets": []]) }
        let stray: JSONValue = ["version": 1, "toolsets": [["name": "core"]],
                                "tools": [["name": "x", "toolset": "nodes", "runs": "a.b", "inputSchema": ["type": "object"]]]]
        do {
            _ = try ToolCatalogue(json: stray)
            Issue.record("accepted a tool in an unknown toolset")
        } catch {
            #expect(error.description == "tool 'x' names an unknown toolset 'nodes'")
        }
        let twice: JSONValue = ["version": 1, "toolsets": [["name": "core"]], "tools": [
            ["name": "x", "toolset": "core", "runs": "a.b", "inputSchema": ["type": "object"]],
            ["name": "x", "toolset": "core", "runs": "a.c", "inputSchema": ["type": "object"]]]]
        #expect(throws: CatalogueError.self) { try ToolCatalogue(json: twice) }
        let requiredUndeclared: JSONValue = ["type": "object", "properties": [:], "required": ["y"]]
        #expect(throws: CatalogueError.self) { try ArgumentSchema(tool: "x", schema: requiredUndeclared) }
    }

    @Test func textTemplatesFillFromTheResult() throws {
        let entry: JSONValue = ["name": "run", "toolset": "core", "runs": "code.execute", "text": "Code executed successfully: {result}",
                                "inputSchema": ["type": "object", "properties": [:], "required": []]]
        let tool = try CatalogueTool(entry)
        #expect(tool.answerText(["executed": true, "result": "hi\n"]) == "Code executed successfully: hi\n")
        #expect(!tool.structured)
    }

    @Test func rehomeNoteNamesBothInstancesAndTheCheckpoint() {
        let note = ToolCalls.note(["rehomed": true, "from_instance": "b1/x", "to_instance": "b2/y", "checkpoint": "/c/1.blend"], session: "s-1")
        #expect(note.contains("re-homed on b2/y") && note.contains("b1/x") && note.contains("/c/1.blend"))
        #expect(ToolCalls.note(["instance": "b1/x"], session: "s-1") == "")
    }
}

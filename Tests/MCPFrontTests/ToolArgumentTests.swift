import BusMessages
import MCP
import Testing
@testable import MCPFrontCore

@Suite struct ToolArgumentTests {
    let objectInfo = BlenderTools.byName["get_object_info"]!

    @Test func acceptsWellTypedArguments() throws {
        let checked = try objectInfo.parameters.validate(["object_name": .string("Cube")], tool: objectInfo.name)
        #expect(objectInfo.params(checked) == ["name": "Cube"])
    }

    @Test func wrongTypeNamesTheArgumentAndWhatCame() {
        do {
            _ = try objectInfo.parameters.validate(["object_name": .int(42)], tool: objectInfo.name)
            Issue.record("accepted a number for object_name")
        } catch {
            #expect(error.description == "get_object_info: argument 'object_name' must be a string, got number 42")
        }
    }

    @Test func missingRequiredArgumentIsNamed() {
        do {
            _ = try objectInfo.parameters.validate([:], tool: objectInfo.name)
            Issue.record("accepted a call without object_name")
        } catch {
            #expect(error.description.contains("missing required argument 'object_name'"))
        }
    }

    @Test func unexpectedArgumentIsNamed() {
        do {
            _ = try objectInfo.parameters.validate(["object_name": "Cube", "objectName": "Cube"], tool: objectInfo.name)
            Issue.record("accepted an unknown argument")
        } catch {
            #expect(error.description.contains("unexpected argument 'objectName'"))
        }
    }

    @Test func schemasDeclareEveryParameter() {
        for tool in BlenderTools.all {
            let schema = tool.definition.inputSchema
            guard case .object(let fields) = schema, case .object(let properties)? = fields["properties"] else {
                Issue.record("\(tool.name) has no properties object"); continue
            }
            #expect(Set(properties.keys) == Set(tool.parameters.map(\.name) + ["session_id"]))
        }
    }

    @Test func sessionToolsAreOffered() {
        #expect(SessionTools.all.map(\.name) == ["create_session", "list_sessions", "get_session", "switch_session", "close_session", "resume_session"])
        #expect(SessionTools.byName["close_session"]?.parameters.first { $0.name == "keep_checkpoint" }?.kind == .boolean)
    }

    @Test func rehomeNoteNamesBothInstancesAndTheCheckpoint() {
        let note = ToolCalls.note(["rehomed": true, "from_instance": "b1/x", "to_instance": "b2/y", "checkpoint": "/c/1.blend"], session: "s-1")
        #expect(note.contains("re-homed on b2/y") && note.contains("b1/x") && note.contains("/c/1.blend"))
        #expect(ToolCalls.note(["instance": "b1/x"], session: "s-1") == "")
    }

    @Test func v1ToolNamesAreKept() {
        #expect(BlenderTools.all.map(\.name) == ["get_scene_info", "get_object_info", "execute_blender_code"])
    }

    @Test func codeResultIsPhrasedLikeV1() {
        let tool = BlenderTools.byName["execute_blender_code"]!
        #expect(tool.format(["executed": true, "result": "hi\n"]) == "Code executed successfully: hi\n")
    }
}

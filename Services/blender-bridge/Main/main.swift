import BlenderBridgeCore

await BlenderBridgeCommand.main()

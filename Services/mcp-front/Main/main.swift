import MCPFrontCore

await MCPFrontCommand.main()

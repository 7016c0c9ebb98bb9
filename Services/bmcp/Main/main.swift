import BMCPCore

await BMCPCommand.main()

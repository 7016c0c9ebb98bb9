import LogWriterCore

await LogWriterCommand.main()

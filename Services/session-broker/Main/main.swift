import SessionBrokerCore

await SessionBrokerCommand.main()

import ArgumentParser

/// `bmcp`: start, stop, inspect and install Blender MCP v2.
public struct BMCPCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bmcp",
        abstract: "Blender MCP v2: start, stop, inspect and install the system.",
        subcommands: [UpCommand.self, DownCommand.self, StatusCommand.self, DoctorCommand.self,
                      InstallAddonCommand.self, ServiceCommand.self, CallCommand.self, KeysCommand.self,
                      DashboardCommand.self])

    public init() {}
}

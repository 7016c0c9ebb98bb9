import BMCPCore

@main
enum Entry {
    static func main() async {
        // A bare `bmcp up --attach` means every announced GUI Blender (AttachArgument).
        await BMCPCommand.main(AttachArgument.rewrite(Array(CommandLine.arguments.dropFirst())))
    }
}

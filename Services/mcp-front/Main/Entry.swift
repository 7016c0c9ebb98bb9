import MCPFrontCore

@main
enum Entry {
    static func main() async {
        await MCPFrontCommand.main()
    }
}

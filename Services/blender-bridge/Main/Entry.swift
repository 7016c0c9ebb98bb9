import BlenderBridgeCore

@main
enum Entry {
    static func main() async {
        await BlenderBridgeCommand.main()
    }
}

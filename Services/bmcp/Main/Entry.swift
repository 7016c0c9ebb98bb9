import BMCPCore

@main
enum Entry {
    static func main() async {
        await BMCPCommand.main()
    }
}

import SessionBrokerCore

@main
enum Entry {
    static func main() async {
        await SessionBrokerCommand.main()
    }
}

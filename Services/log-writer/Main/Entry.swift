import LogWriterCore

@main
enum Entry {
    static func main() async {
        await LogWriterCommand.main()
    }
}

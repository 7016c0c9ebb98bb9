import PromptServiceCore

@main
enum Entry {
    static func main() async {
        await PromptServiceCommand.main()
    }
}

import PromptServiceCore

await PromptServiceCommand.main()

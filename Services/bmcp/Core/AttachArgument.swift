/// `bmcp up --attach` with no value means "every GUI Blender that announced itself".
///
/// ArgumentParser's options always take a value, so before parsing a bare `--attach` (last,
/// or followed by another option) becomes `--attach auto`; `auto` is then resolved by
/// `AnnouncedBlenders`. `--attach=HOST:PORT` and `--attach HOST:PORT` are left alone.
public enum AttachArgument {
    public static let auto = "auto"

    public static func rewrite(_ arguments: [String]) -> [String] {
        guard arguments.first == "up" else { return arguments }
        var rewritten: [String] = []
        for (index, argument) in arguments.enumerated() {
            rewritten.append(argument)
            guard argument == "--attach" else { continue }
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if next == nil || next?.hasPrefix("-") == true { rewritten.append(auto) }
        }
        return rewritten
    }
}

import BusMessages
import Foundation

/// Finds entries by keyword in English or Japanese: exact and partial matches on id, titles,
/// aliases and keywords, plus typo-tolerant matching of longer Latin words and character
/// overlap for Japanese (which has no spaces to split words on).
struct PromptSearch {
    let dictionary: PromptDictionary

    func search(_ query: String, lang: String?, limit: Int) -> [(entry: JSONValue, score: Int)] {
        let needle = Self.normalize(query)
        guard !needle.isEmpty else { return [] }
        let words = needle.split(separator: " ").map(String.init)
        var scored: [(JSONValue, Int)] = []
        for entry in dictionary.entries {
            var score = 0
            for (text, weight) in haystack(entry, lang: lang) {
                let hay = Self.normalize(text)
                if hay == needle { score = max(score, 100 * weight) }
                else if hay.contains(needle) { score = max(score, 60 * weight) }
                else if needle.count >= 2, needle.contains(hay), hay.count >= 2 { score = max(score, 40 * weight) }
                var wordScore = 0
                for word in words {
                    if hay.contains(word) { wordScore += 20 * weight }
                    else if word.count >= 4, hay.split(separator: " ").contains(where: { Self.close(String($0), word) }) { wordScore += 12 * weight }
                    else if Self.isJapanese(word), Self.bigramOverlap(word, hay) >= 0.5 { wordScore += 10 * weight }
                }
                score = max(score, wordScore)
            }
            if score > 0 { scored.append((entry, score)) }
        }
        return Array(scored.sorted { ($0.1, $1.0["id"]?.stringValue ?? "") > ($1.1, $0.0["id"]?.stringValue ?? "") }.prefix(limit))
    }

    /// Texts to match, with weights: names count more than descriptions.
    private func haystack(_ entry: JSONValue, lang: String?) -> [(String, Int)] {
        let langs = lang.map { [$0] } ?? ["en", "ja"]
        var texts: [(String, Int)] = [(entry["id"]?.stringValue?.replacingOccurrences(of: "-", with: " ") ?? "", 3)]
        for lang in langs {
            texts.append((entry["title"]?[lang]?.stringValue ?? "", 3))
            for field in ["aliases", "keywords"] {
                texts += (entry[field]?[lang]?.arrayValue ?? []).compactMap(\.stringValue).map { ($0, 2) }
            }
            texts.append((entry["description"]?[lang]?.stringValue ?? "", 1))
        }
        return texts
    }

    static func normalize(_ text: String) -> String {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
            .folding(options: [.diacriticInsensitive, .widthInsensitive], locale: nil)
        return folded.map { $0.isLetter || $0.isNumber ? String($0) : " " }.joined()
            .split(separator: " ").joined(separator: " ")
    }

    static func isJapanese(_ text: String) -> Bool {
        text.unicodeScalars.contains { (0x3040...0x30FF).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) }
    }

    static func bigramOverlap(_ needle: String, _ hay: String) -> Double {
        let characters = Array(needle)
        guard characters.count >= 2 else { return hay.contains(needle) ? 1 : 0 }
        let grams = (0..<characters.count - 1).map { String(characters[$0...$0 + 1]) }
        return Double(grams.filter { hay.contains($0) }.count) / Double(grams.count)
    }

    /// Edit distance (with swapped neighbours counting as one edit, the commonest typo) of at
    /// most 1 for words of 4–7 letters, 2 for longer ones.
    static func close(_ a: String, _ b: String) -> Bool {
        let allowed = max(a.count, b.count) >= 8 ? 2 : 1
        guard abs(a.count - b.count) <= allowed else { return false }
        let x = Array(a), y = Array(b)
        guard !x.isEmpty, !y.isEmpty else { return max(x.count, y.count) <= allowed }
        var d = Array(repeating: Array(repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count] <= allowed
    }
}

import ArgumentParser
import LineageCore
import LineageStore

/// "Did you mean …": the subcommand a mistyped word was probably meant to be, as git and gh suggest.
enum CommandSuggestion {
    /// The failure for `word` given where `parent` expects a subcommand, or nil when `word` is one
    /// (or looks like an option or a path, which the parent's own parsing reports).
    static func unknownSubcommand(_ word: String, of parent: ParsableCommand.Type, path: [String]) -> LineageError? {
        let names = parent.configuration.subcommands.map { $0._commandName }
        guard !word.hasPrefix("-"), !word.contains("/"), !names.contains(word) else { return nil }
        let command = path.joined(separator: " ")
        var message = "\(Names.printable(word)) is not a \(command) command"
        if let best = closest(to: word, among: names) { message += "; did you mean '\(best)'?" }
        return LineageError.input(message + " (see \(command) --help)")
    }

    /// The name nearest to `word` by edit distance, if near enough to be a typo (at most a third
    /// of the word's letters, at least one), or a name that `word` is the start of.
    static func closest(to word: String, among names: [String]) -> String? {
        let scored = names.map { (name: $0, distance: distance(word, $0)) }.sorted { $0.distance < $1.distance }
        if let best = scored.first, best.distance <= max(1, word.count / 3) { return best.name }
        let extended = names.filter { $0.hasPrefix(word) }
        return word.count >= 2 && extended.count == 1 ? extended[0] : nil
    }

    /// Damerau-Levenshtein (optimal string alignment) distance: an adjacent swap counts as one edit.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}

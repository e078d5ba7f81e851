import ArgumentParser
import Testing
@testable import LineageCLI

/// The EXAMPLES at the end of every `--help` must be command lines lineage accepts.
@Suite("Help examples")
struct HelpExamplesTests {
    /// Every command path in the tree, "lineage" first.
    static func commandPaths(_ type: ParsableCommand.Type = Lineage.self, path: [String] = ["lineage"]) -> [[String]] {
        [path] + type.configuration.subcommands.flatMap { commandPaths($0, path: path + [$0._commandName]) }
    }

    /// The words of a shell command line up to a pipe, redirection, `&&`, `;` or comment, quotes removed.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quote: Character?, started = false
        for character in line {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
                continue
            }
            if character == "'" || character == "\"" { quote = character; started = true; continue }
            if character == " " {
                if started { words.append(current); current = ""; started = false }
                continue
            }
            if !started && "|><&;#".contains(character) { break }
            current.append(character)
            started = true
        }
        if started { words.append(current) }
        return words
    }

    @Test("every command has examples, and only commands that exist do")
    func everyCommandHasExamples() {
        let paths = Set(Self.commandPaths().map { $0.joined(separator: " ") } + ["lineage help"])
        for path in paths { #expect((HelpExamples.byCommand[path] ?? []).count >= 2, "\(path) has fewer than two examples") }
        for path in HelpExamples.byCommand.keys { #expect(paths.contains(path), "examples for \(path), which is not a command") }
    }

    @Test("every example parses: its command and options exist and its values are valid")
    func examplesParse() throws {
        for (path, examples) in HelpExamples.byCommand {
            for example in examples {
                // An example may feed lineage from another program (`tail -f … | lineage ingest -`).
                guard let start = example.range(of: "lineage ") else { Issue.record("\(path): \(example) does not run lineage"); continue }
                let arguments = Array(Self.words(String(example[start.lowerBound...])).dropFirst())
                #expect(throws: Never.self, "\(example)") { _ = try Lineage.parseCommand(arguments) }
            }
        }
    }
}

import Foundation
import Testing
@testable import LineageCore

@Suite("RFC 8785 canonical JSON")
struct CanonicalJSONTests {
    @Test("every vector in ../shared/testdata/jcs canonicalises to its expected bytes")
    func sharedVectors() throws {
        let inputs = try SharedTestData.files(in: "jcs/input")
        #expect(inputs.count >= 6)
        for input in inputs {
            let expected = try [UInt8](Data(contentsOf: SharedTestData.root.appendingPathComponent("jcs/output/" + input.lastPathComponent)))
            let value = try JSONParser.parse([UInt8](Data(contentsOf: input)))
            #expect(value.canonicalBytes == expected, "\(input.lastPathComponent)")
        }
    }

    @Test("numbers follow ECMAScript Number.prototype.toString", arguments: [
        (1e21, "1e+21"), (1e-7, "1e-7"), (123456789012345680000.0, "123456789012345680000"), (0.1, "0.1"),
        (-0.0, "0"), (5e-324, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992, "9007199254740992"), (1e16, "10000000000000000"), (1.23e-18, "1.23e-18"),
        (0.000001, "0.000001"), (1.5e-6, "0.0000015"), (1e15, "1000000000000000"), (-4.5, "-4.5"),
        (333333333.33333329, "333333333.3333333"), (2e-3, "0.002"), (56.0, "56"),
    ])
    func numbers(value: Double, expected: String) {
        #expect(CanonicalNumber.format(value) == expected)
    }

    @Test("a double written without an exponent by Swift is taken as is only where re-laying out its digits agrees")
    func numberFastPathAgreesWithLayout() {
        var generator = SystemRandomNumberGenerator()
        var checked = 0
        for i in 0..<200_000 {
            // Half with random bits (every exponent), half short decimals like scores and features.
            let value = i % 2 == 0
                ? Double(bitPattern: generator.next() & 0x7FFF_FFFF_FFFF_FFFF)
                : Double(Int.random(in: 1...99_999_999, using: &generator)) / pow(10, Double(Int.random(in: 0...12, using: &generator)))
            guard value.isFinite, value > 0, !(value < 1e15 && value.rounded() == value) else { continue }
            #expect(CanonicalNumber.format(value) == CanonicalNumber.layOut(value.description), "\(value)")
            checked += 1
        }
        #expect(checked > 150_000)
    }

    @Test("keys compare like their UTF-16 code units, whatever characters they hold")
    func keyComparisonAgreesWithUTF16() {
        let alphabet: [Character] = ["a", "b", "z", "A", "0", "\u{7F}", "\u{E9}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}", "\u{FB33}", "\u{FFFD}", "\u{10000}", "\u{1F602}", "\u{10FFFF}"]
        func utf16Order(_ a: String, _ b: String) -> JSONObject.Order {
            let x = Array(a.utf16), y = Array(b.utf16)
            return x == y ? .equal : x.lexicographicallyPrecedes(y) ? .less : .greater
        }
        for _ in 0..<50_000 {
            let a = String((0..<Int.random(in: 0...4)).map { _ in alphabet.randomElement()! })
            let b = Bool.random() ? a + String(alphabet.randomElement()!) : String((0..<Int.random(in: 0...4)).map { _ in alphabet.randomElement()! })
            #expect(JSONObject.compare(a, b) == utf16Order(a, b), "\(Array(a.unicodeScalars)) vs \(Array(b.unicodeScalars))")
        }
    }

    @Test("keys sort by UTF-16 code units, not by Unicode scalars or equivalence")
    func keyOrder() throws {
        // U+FB33 (one UTF-16 unit, 0xFB33) sorts before U+1F602 (surrogates 0xD83D…) only by scalar value;
        // by UTF-16 units the surrogate pair comes first.
        let value = try JSONParser.parse(#"{"\ufb33":1,"\ud83d\ude02":2}"#)
        #expect(value.canonicalString == "{\"😂\":2,\"דּ\":1}")
        // Canonically equivalent but different keys stay two members.
        let twins = try JSONParser.parse("{\"\u{C5}\":1,\"A\u{30A}\":2}")
        #expect(twins.objectValue?.count == 2)
    }

    @Test("the parser refuses what I-JSON forbids", arguments: [
        "{\"a\":1,\"a\":2}", "[1,]", "{\"a\":1}x", "01", "1.", "\"\\ud800\"", "\"\\udc00x\"", "[1e999]", "\"a\u{01}\"",
        "{a:1}", "tru", "", "[\"\\x\"]",
    ])
    func rejects(text: String) {
        #expect(throws: JSONError.self) { try JSONParser.parse(text) }
    }

    @Test("invalid UTF-8 inside a string is refused with its position")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("{\n \"a\": \"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)
        #expect {
            try JSONParser.parse(bytes)
        } throws: { error in
            guard let error = error as? JSONError else { return false }
            return error.line == 2 && error.reason.contains("UTF-8")
        }
    }

    @Test("nesting is bounded, so hostile input cannot exhaust the stack")
    func depth() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError.self) { try JSONParser.parse(deep) }
    }

    @Test("members in any order give the same object; a repeated name is refused at its second place")
    func memberOrder() throws {
        let names = (0..<2000).map { "k\($0)" }
        func text(_ order: [String]) -> String { "{" + order.map { "\"\($0)\":1" }.joined(separator: ",") + "}" }
        let ascending = try JSONParser.parse(text(names.sorted()))
        #expect(try JSONParser.parse(text(names.sorted().reversed())) == ascending)
        #expect(try JSONParser.parse(text(names.shuffled())) == ascending)
        #expect(ascending.objectValue?.keys == names.sorted { JSONObject.compare($0, $1) == .less })
        for (input, column) in [(#"{"b":1,"a":2,"b":3}"#, 14), (#"{"a":1,"a":2}"#, 8), (#"{"c":1,"b":2,"a":3,"b":4}"#, 20)] {
            #expect { try JSONParser.parse(input) } throws: { error in
                guard let error = error as? JSONError else { return false }
                return "\(error)".contains("duplicate member name") && error.column == column
            }
        }
    }
}

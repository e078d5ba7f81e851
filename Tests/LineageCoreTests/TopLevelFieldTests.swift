import LineageCore
import Testing

@Suite("Reading a top-level string from canonical bytes")
struct TopLevelFieldTests {
    @Test("finds the top-level member, not a nested one of the same name, and agrees with the parser")
    func topLevelOnly() throws {
        let text = #"{"a":{"predictionId":"inner"},"b":["x",{"predictionId":"deeper"}],"predictionId":"outer","z":1}"#
        #expect(TopLevelField.string("predictionId", in: Array(text.utf8)) == "outer")
        let parsed = try JSONParser.parse(Array(text.utf8))
        #expect(parsed.objectValue?["predictionId"]?.stringValue == "outer")
    }

    @Test("gives nil when absent, not a string, escaped, or inside a string")
    func declines() {
        #expect(TopLevelField.string("predictionId", in: Array(#"{"id":"x"}"#.utf8)) == nil)
        #expect(TopLevelField.string("predictionId", in: Array(#"{"predictionId":7}"#.utf8)) == nil)
        #expect(TopLevelField.string("predictionId", in: Array(#"{"predictionId":"a\"b"}"#.utf8)) == nil)
        #expect(TopLevelField.string("predictionId", in: Array(#"{"note":"\"predictionId\":\"fake\""}"#.utf8)) == nil)
        #expect(TopLevelField.string("predictionId", in: Array(#"{"predictionId":"é-1"}"#.utf8)) == "é-1")
    }
}

import Testing
@testable import LineageStore

@Suite("batch commit messages")
struct BatchMessageTests {
    @Test("the committer is the actor made safe for a git ident: no <, >, control characters or surrounding spaces", arguments: [
        ("alice@host", "alice@host"),
        ("  alice \t", "alice"),
        ("\u{00A0}Zoë\u{2003}", "Zoë"),
        ("eve <eve@evil>\nEvil: yes", "eve eve@evilEvil: yes"),
        (" \t\u{7F}", "lineage"),
        ("", "lineage"),
    ])
    func committer(actor: String, name: String) {
        let signature = BatchMessage.signature(actor: actor, time: 1_700_000_000)
        #expect(signature.name == name)
        #expect(signature.email == "lineage@localhost")
        #expect(signature.time == 1_700_000_000)
    }
}

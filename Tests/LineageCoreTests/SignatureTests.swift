import Foundation
import Testing
@testable import LineageCore

@Suite("keys, signed notes, checkpoints and SSH signatures")
struct SignatureTests {
    // The published example of golang.org/x/mod/sumdb/note (Ed25519 is deterministic, so signing
    // must reproduce it byte for byte).
    static let goSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
    static let goVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    static let goText = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
    static let goNote = goText + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

    @Test("signing reproduces the Go sumdb/note example, and its verifier key parses and verifies it")
    func goVector() throws {
        let signer = try SigningKey(parsing: Self.goSigner)
        #expect(try signer.verifier.text == Self.goVerifier)
        #expect(signer.text == Self.goSigner)
        #expect(try SignedNote.sign(Self.goText, with: [signer]) == Self.goNote)
        let verifier = try VerifierKey(parsing: Self.goVerifier)
        let note = try SignedNote(parsing: Self.goNote)
        #expect(note.text == Self.goText)
        #expect(try note.verify(trusting: [verifier]) == [verifier])
        let altered = try SignedNote(parsing: Self.goNote.replacingOccurrences(of: "cryptography", with: "cryptographY"))
        #expect(throws: RecordError.self) { try altered.verify(trusting: [verifier]) }
    }

    @Test("key files' surrounding spaces and line ends are ignored; anything else around a key is refused")
    func keyTextAround() throws {
        #expect(try SigningKey(parsing: " \t" + Self.goSigner + "\r\n").text == Self.goSigner)
        #expect(try VerifierKey(parsing: "\n" + Self.goVerifier + "\n\n").text == Self.goVerifier)
        #expect(throws: RecordError.self) { try SigningKey(parsing: Self.goSigner + "x") }
        #expect(throws: RecordError.self) { try VerifierKey(parsing: "#" + Self.goVerifier) }
        #expect(throws: RecordError.self) { try VerifierKey(parsing: " \n ") }
    }

    @Test("a verifier key whose base64 holds '+' parses (transparency-dev vector)")
    func plusInKey() throws {
        #expect(try VerifierKey(parsing: "TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6").name == "TEST")
        #expect(throws: RecordError.self) { try VerifierKey(parsing: "TEST+7997405d+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6") }
    }

    @Test("unknown signatures are ignored, a bad known one rejects, none known rejects")
    func noteVerification() throws {
        let ours = try SigningKey(generatingFor: "example.com/log")
        let stranger = try SigningKey(generatingFor: "example.com/other")
        let checkpoint = Checkpoint(origin: "example.com/log", size: 3, rootHash: Array(repeating: 7, count: 32))
        let both = try SignedNote.sign(checkpoint.text, with: [ours, stranger])
        #expect(try SignedNote(parsing: both).verify(trusting: [ours.verifier]) == [try ours.verifier])
        let onlyStranger = try SignedNote.sign(checkpoint.text, with: [stranger])
        #expect(throws: RecordError.self) { try SignedNote(parsing: onlyStranger).verify(trusting: [ours.verifier]) }
        var bytes = Array(try SignedNote.sign(checkpoint.text, with: [ours]).utf8)
        let position = bytes.count - 10
        bytes[position] = bytes[position] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: RecordError.self) { try SignedNote(parsing: String(decoding: bytes, as: UTF8.self)).verify(trusting: [ours.verifier]) }
        #expect(try Checkpoint(parsing: SignedNote(parsing: both).text) == checkpoint)
    }

    @Test("checkpoints refuse malformed text", arguments: ["o\n01\nAAAA\n", "o\n1\n", "\n1\n" + String(repeating: "A", count: 43) + "=\n", "o\n-1\nAAA=\n"])
    func badCheckpoints(text: String) {
        #expect(throws: RecordError.self) { try Checkpoint(parsing: text) }
    }

    @Test("OpenSSH's ssh-keygen -Y verify accepts our SSH signatures")
    func sshKeygenAccepts() throws {
        let key = try SigningKey(generatingFor: "example.com/log")
        let message = Array("tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\nhello\n".utf8)
        let armored = try SSHSignature.sign(message, with: key)
        #expect(try SSHSignature.verify(armored, message: message, trusting: [key.verifier]) == key.verifier)
        #expect(throws: RecordError.self) { try SSHSignature.verify(armored, message: message + [0x0A], trusting: [key.verifier]) }

        let directory = NSTemporaryDirectory() + "sshsig-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(("lineage@example.com namespaces=\"git\" " + key.verifier.sshPublicKey + "\n").utf8)
            .write(to: URL(fileURLWithPath: directory + "/allowed_signers"))
        try Data(armored.utf8).write(to: URL(fileURLWithPath: directory + "/message.sig"))
        try Data(message).write(to: URL(fileURLWithPath: directory + "/message"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ssh-keygen -Y verify -f allowed_signers -I lineage@example.com -n git -s message.sig < message"]
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("Good \"git\" signature"))
    }
}

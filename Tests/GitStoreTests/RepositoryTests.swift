import Clibgit2
import Foundation
import Testing
@testable import GitStore

/// A fresh temporary directory per test, removed afterwards.
final class TemporaryDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "gitstore-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("GitStore wrapper")
struct RepositoryTests {
    @Test(
        "the statically linked libgit2 refuses TLS and SSH at once, with lineage's message (fail closed, no network)",
        arguments: [
            ("https://lineage.invalid/store.git", "makes no TLS connections"),
            ("ssh://git@lineage.invalid/store.git", "makes no SSH connections"),
            ("git@lineage.invalid:store.git", "makes no SSH connections"),
        ])
    func noNetwork(url: String, refusal: String) throws {
        let dir = try TemporaryDirectory()
        let repo = try Repository.createBare(at: dir.path + "/repo.git")
        var remote: OpaquePointer?
        #expect(git_remote_create_anonymous(&remote, repo.handle, url) == 0)
        defer { git_remote_free(remote) }
        #expect(git_remote_connect(remote, GIT_DIRECTION_FETCH, nil, nil, nil) < 0)
        let message = git_error_last().map { String(cString: $0.pointee.message) } ?? ""
        #expect(message.contains(refusal), "\(message)")
    }

    @Test("blobs, trees and commits round-trip, and stock git fsck --strict accepts them")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        let repo = try Repository.createBare(at: dir.path + "/repo.git")
        let payload: [UInt8] = Array("hello\nworld\n".utf8) + [0, 255]
        let blob = try repo.writeBlob(payload)
        #expect(try repo.readBlob(blob) == payload)
        let tree = try repo.writeTree([TreeEntry(name: "records.ndjson", id: blob)])
        #expect(try repo.readTree(tree) == [TreeEntry(name: "records.ndjson", id: blob)])
        let signature = Signature(name: "alice", email: "alice@example.com", time: 1_700_000_000)
        let first = try repo.writeCommit(tree: tree, parents: [], message: "first\n", signature: signature)
        let second = try repo.writeCommit(tree: tree, parents: [first], message: "second\n", signature: signature)
        let info = try repo.readCommit(second)
        #expect(info.parents == [first])
        #expect(info.tree == tree)
        #expect(info.message == "second\n")
        #expect(try repo.commits(from: second, oldestFirst: true) == [first, second])
        try repo.updateReference("refs/lineage/log/test", to: second, expecting: nil, message: "test")
        let fsck = Process()
        fsck.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        fsck.arguments = ["git", "--git-dir", dir.path + "/repo.git", "fsck", "--strict"]
        try fsck.run()
        fsck.waitUntilExit()
        #expect(fsck.terminationStatus == 0)
    }

    @Test("a reference moves only from the value the writer expected (compare-and-swap)")
    func compareAndSwap() throws {
        let dir = try TemporaryDirectory()
        let repo = try Repository.createBare(at: dir.path + "/repo.git")
        let tree = try repo.writeTree([])
        let sig = Signature(name: "a", email: "a@b", time: 0)
        let a = try repo.writeCommit(tree: tree, parents: [], message: "a\n", signature: sig)
        let b = try repo.writeCommit(tree: tree, parents: [a], message: "b\n", signature: sig)
        let c = try repo.writeCommit(tree: tree, parents: [a], message: "c\n", signature: sig)
        try repo.updateReference("refs/x", to: a, expecting: nil, message: "create")
        #expect(throws: GitError.self) { try repo.updateReference("refs/x", to: b, expecting: nil, message: "again") }
        try repo.updateReference("refs/x", to: b, expecting: a, message: "advance")
        do {
            try repo.updateReference("refs/x", to: c, expecting: a, message: "stale")
            Issue.record("a stale compare-and-swap succeeded")
        } catch GitError.modified {
            // expected
        }
        #expect(try repo.referenceTarget("refs/x") == b)
        #expect(try repo.referenceTarget("refs/missing") == nil)
    }

    @Test("errors carry libgit2's code, function and message")
    func errors() throws {
        let dir = try TemporaryDirectory()
        do {
            _ = try Repository.openBare(at: dir.path + "/nothing-here")
            Issue.record("opening a missing repository succeeded")
        } catch let error as GitError {
            #expect(error.code == .notFound)
            #expect(error.function == "git_repository_open_bare")
            #expect(!error.message.isEmpty)
        }
        let repo = try Repository.createBare(at: dir.path + "/repo.git")
        #expect(throws: GitError.self) { try Repository.createBare(at: dir.path + "/repo.git") }
        let missing = ObjectID(bytes: [UInt8](repeating: 7, count: 20))!
        do {
            _ = try repo.readBlob(missing)
            Issue.record("reading a missing blob succeeded")
        } catch GitError.notFound {
            // expected: matched through the ~= operator
        }
        let tree = try repo.writeTree([])
        #expect(throws: GitError.self) { try repo.readBlob(tree) }
    }

    @Test("a signed commit carries its signature in gpgsig over exactly the unsigned commit bytes")
    func signedCommit() throws {
        let dir = try TemporaryDirectory()
        let repo = try Repository.createBare(at: dir.path + "/repo.git")
        let tree = try repo.writeTree([])
        let sig = Signature(name: "a", email: "a@b", time: 0)
        var signedBytes: [UInt8] = []
        let signed = try repo.writeCommit(tree: tree, parents: [], message: "signed\n", signature: sig) { content in
            signedBytes = content
            return "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"
        }
        let extracted = try #require(try repo.commitSignature(signed))
        #expect(extracted.signedData == signedBytes)
        #expect(extracted.signature.hasPrefix("-----BEGIN SSH SIGNATURE-----"))
        #expect(String(decoding: signedBytes, as: UTF8.self).hasSuffix("\n\nsigned\n"))
        let unsigned = try repo.writeCommit(tree: tree, parents: [signed], message: "plain\n", signature: sig)
        #expect(try repo.commitSignature(unsigned) == nil)
        #expect(try repo.readCommit(unsigned).parents == [signed])
    }

    @Test("object ids parse and print as hex; wrong lengths are refused")
    func objectIDs() {
        let hex = String(repeating: "ab", count: 20)
        #expect(ObjectID(hex: hex)?.hex == hex)
        #expect(ObjectID(hex: "abc") == nil)
        #expect(ObjectID(bytes: [1, 2, 3]) == nil)
    }

    @Test("handles free what they own: many repositories and objects open and close cleanly")
    func ownership() throws {
        let dir = try TemporaryDirectory()
        weak var weakRepo: Repository?
        do {
            let repo = try Repository.createBare(at: dir.path + "/repo.git")
            weakRepo = repo
            for i in 0..<500 {
                let blob = try repo.writeBlob(Array("object \(i)".utf8))
                _ = try repo.readBlob(blob)
                _ = try repo.writeTree([TreeEntry(name: "f", id: blob)])
            }
        }
        #expect(weakRepo == nil)
        for _ in 0..<50 {
            let repo = try Repository.openBare(at: dir.path + "/repo.git")
            try repo.setConfigValue("lineage.origin", "example.com/x")
            #expect(try repo.configValue("lineage.origin") == "example.com/x")
            #expect(try repo.configValue("lineage.absent") == nil)
        }
    }
}

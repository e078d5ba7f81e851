import Foundation
import Testing
@testable import LineageStore

@Suite("finding the store")
struct StoreLocationTests {
    @Test("paths are standardised as URL's standardizedFileURL does", arguments: [
        "/", "/a", "/a/", "//a//b/", "/a/./b", "/a/b/..", "/a/b/../..", "/a/../../b", "/.lineage/./x/../y", "/a/.../b", "/a/..b/c",
    ])
    func standardized(path: String) {
        #expect(StoreLocation.standardized(absolute: path) == URL(fileURLWithPath: path).standardizedFileURL.path)
    }

    @Test("a store is found in the working directory or the nearest parent, and a relative --store from it")
    func discovery() throws {
        let store = try TemporaryStore()
        let deep = store.directory + "/a/b/c"
        try FileManager.default.createDirectory(atPath: deep, withIntermediateDirectories: true)
        let expected = StoreLocation.standardized(absolute: store.directory + "/.lineage")
        #expect(try StoreLocation.discover(explicit: nil, variable: nil, workingDirectory: deep) == expected)
        #expect(try StoreLocation.discover(explicit: nil, variable: nil, workingDirectory: deep + "/./../..") == expected)
        #expect(try StoreLocation.discover(explicit: "../../..", variable: nil, workingDirectory: deep) == expected)
        #expect(try StoreLocation.discover(explicit: nil, variable: "../../../.lineage", workingDirectory: deep) == expected)
        #expect(throws: LineageError.self) { try StoreLocation.discover(explicit: deep, variable: nil, workingDirectory: "/") }
        // A directory with a git config but no [lineage] section is not a store.
        try "[core]\n\tbare = true\n".write(toFile: deep + "/config", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: deep + "/objects", withIntermediateDirectories: true)
        #expect(!StoreLocation.isStore(deep))
        #expect(StoreLocation.isStore(expected))
        // Nor is one with a [lineage] section whose objects is not a directory.
        let fake = store.directory + "/a/fake"
        try FileManager.default.createDirectory(atPath: fake, withIntermediateDirectories: true)
        try "[core]\n\tbare = true\n[lineage]\n\torigin = x\n".write(toFile: fake + "/config", atomically: true, encoding: .utf8)
        try "".write(toFile: fake + "/objects", atomically: true, encoding: .utf8)
        #expect(!StoreLocation.isStore(fake))
        try FileManager.default.removeItem(atPath: fake + "/objects")
        try FileManager.default.createDirectory(atPath: fake + "/objects", withIntermediateDirectories: true)
        #expect(StoreLocation.isStore(fake))
    }
}

@Suite("store origins")
struct OriginTests {
    @Test("origins of name segments separated by '/' are allowed", arguments: [
        "example.com/fraud", "local/d78d429bb92e", "a", "a-b_c.d/e", "x.lockers/y", "a.b.c", String(repeating: "a", count: 200),
    ])
    func allowed(origin: String) throws {
        try Store.validate(origin: origin)
    }

    @Test("empty, dotted, .lock, '..', non-name and over-long origins are refused", arguments: [
        "", "/", "a/", "/a", "a//b", ".hidden", "a/.b", "x.lock", "a/b.lock", "a..b", "a/../b", "..", "a b", "a\tb", "é",
        "a\u{0}b", String(repeating: "a", count: 201),
    ])
    func refused(origin: String) {
        #expect(throws: LineageError.self) { try Store.validate(origin: origin) }
    }
}

import Foundation
import Testing

/// `lineage export tiles`: the log as C2SP tlog-tiles, read back by an independent reader
/// (Tests/validators/check_tiles.py) that trusts nothing but the tiles and the public key.
@Suite("tlog-tiles")
struct TilesTests {
    @Test("66,002 records as tiles: a full level-1 tile, partial tiles at each level; roots and proofs recomputed from the tiles alone; a flipped byte is caught")
    func tiles() throws {
        let w = try CrashTests.deployed()
        let lines = (0..<66_000).map { "{\"deployment\":\"deployment:m/prod\",\"output\":{\"label\":\"ok\"},\"predictionId\":\"p\($0)\"}" }
        try w.write("p.ndjson", lines.joined(separator: "\n") + "\n")
        try w.ok("ingest", "p.ndjson", "-q")
        #expect(try w.ok("export", "tiles", "out").contains("(size 66002) as tlog-tiles in out"))
        for file in ["checkpoint", "tile/0/000", "tile/0/257.p/210", "tile/1/000", "tile/1/001.p/1", "tile/2/000.p/1",
                     "tile/entries/000", "tile/entries/257.p/210"] {
            #expect(FileManager.default.fileExists(atPath: w.path + "/out/" + file), "\(file) is missing")
        }
        let key = try w.ok("key", "show").trimmingCharacters(in: .whitespacesAndNewlines)
        let checker = ConventionTests.root + "/Tests/validators/check_tiles.py"
        let read = try w.run("/usr/bin/env", ["python3", checker, "out", key, "0", "65535", "65536", "66001"], in: nil, stdin: nil)
        #expect(read.status == 0, "\(read.stdout)\(read.stderr)")
        #expect(read.stdout.contains("root recomputed from 66002 leaf hashes in tiles matches the checkpoint"))
        #expect(read.stdout.contains("entry 66001 is included"))
        // The export's checkpoint is the store's: the same size and root.
        #expect(try String(contentsOfFile: w.path + "/out/checkpoint", encoding: .utf8) == (try w.ok("checkpoint")))
        // Served by `lineage serve` at /tiles/: the same reader checks it over HTTP with an auditor's token.
        let auditor = try w.ok("token", "create", "--name", "mirror", "--role", "auditor").trimmingCharacters(in: .whitespacesAndNewlines)
        let reader = try w.ok("token", "create", "--name", "reader", "--role", "reader").trimmingCharacters(in: .whitespacesAndNewlines)
        let server = try RunningServer(w)
        defer { _ = server.stop() }
        var environment = w.environment
        environment["LINEAGE_TOKEN"] = auditor
        let saved = w.environment
        w.environment = environment
        let served = try w.run("/usr/bin/env", ["python3", checker, server.base + "/tiles", key, "0", "65535"], in: nil, stdin: nil)
        w.environment = saved
        #expect(served.status == 0 && served.stdout.contains("entry 65535 is included"), "\(served.stdout)\(served.stderr)")
        let fetched = try w.run("/usr/bin/env", ["curl", "-s", "-H", "Authorization: Bearer " + auditor, "-o", "served-tile", "-w", "%{http_code}",
                                                 server.base + "/tiles/tile/1/000"], in: nil, stdin: nil)
        #expect(fetched.stdout == "200")
        #expect(try Data(contentsOf: URL(fileURLWithPath: w.path + "/served-tile")) == Data(contentsOf: URL(fileURLWithPath: w.path + "/out/tile/1/000")))
        #expect(try server.request(w, "GET", "/tiles/tile/0/000", token: reader).status == 403)
        for path in ["/tiles/tile/0/x000/001", "/tiles/tile/0/999", "/tiles/tile/0/000.p/256", "/tiles/tile/entries/../000", "/tiles/tile/70/000"] {
            #expect(try server.request(w, "GET", path, token: auditor).status == 404, "\(path)")
        }
        // One byte of one record changed in an entry bundle: the reader says so.
        let bundle = w.path + "/out/tile/entries/100"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: bundle))
        bytes[40] ^= 1
        try bytes.write(to: URL(fileURLWithPath: bundle))
        let altered = try w.run("/usr/bin/env", ["python3", checker, "out", key], in: nil, stdin: nil)
        #expect(altered.status == 1 && altered.stdout.contains("does not hash to its level-0 tile hash"), "\(altered.stdout)")
        // Bad input: a directory that cannot be made.
        try w.write("file", "x")
        let refused = try w.lineage("export", "tiles", "file/sub")
        #expect(refused.status == 4 && refused.stderr.contains("cannot write"), "\(refused.status) \(refused.stderr)")
    }
}

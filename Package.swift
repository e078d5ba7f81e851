// swift-tools-version:6.1
import PackageDescription

/// libgit2 and the libraries it needs, as the static archives that libgit2-dev and its dependencies
/// install: a shared libgit2 made every command map and bind 15 libraries before main() (~4 ms).
/// CGitLocalOnly stands in for GSSAPI (no static library) and for libgit2's TLS and SSH set-up.
let libgit2StaticLinkFlags: [String] = [
    "--wrap=git_mbedtls_stream_global_init", "--wrap=git_mbedtls_stream_new", "--wrap=git_mbedtls_stream_wrap",
    "--wrap=git_mbedtls__set_cert_location",
    "-l:libgit2.a", "-l:libmbedtls.a", "-l:libmbedx509.a", "-l:libmbedcrypto.a", "-l:libhttp_parser.a",
    "-l:libpcre2-8.a", "-l:libz.a",
].flatMap { ["-Xlinker", $0] }

let package = Package(
    name: "lineage",
    products: [
        .executable(name: "lineage", targets: ["lineage"]),
        .executable(name: "lineage-server", targets: ["lineage-server"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The C library's headers. Only GitStore imports it; GitStore links it statically.
        .systemLibrary(name: "Clibgit2", providers: [.apt(["libgit2-dev"])]),
        // What a static libgit2 for a local store needs beside it (see local_only.c).
        .target(name: "CGitLocalOnly"),
        // Fixed-signature wrappers for SQLite's variadic configuration calls.
        .target(name: "CSQLiteOptions", linkerSettings: [.linkedLibrary("sqlite3")]),
        // syncfs(2), for making a batch's payloads durable with one flush.
        .target(name: "CFileSync"),
        // Typed, owning wrappers over libgit2 with one error funnel.
        .target(
            name: "GitStore",
            dependencies: ["Clibgit2", "CGitLocalOnly"],
            linkerSettings: [.unsafeFlags(libgit2StaticLinkFlags)]
        ),
        // The commit the binary is built from, for `lineage --version` (written by the plugin below).
        .target(name: "LineageBuildInfo", plugins: ["BuildInfo"]),
        .plugin(name: "BuildInfo", capability: .buildTool()),
        // Records, canonical JSON, ids, schemas: no I/O of its own.
        .target(
            name: "LineageCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        // The log in git, the payload store and the SQLite index.
        .target(
            name: "LineageStore",
            dependencies: [
                "GitStore", "LineageCore", "CSQLiteOptions", "CFileSync",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for binding bulk inserts without per-value conversion.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The work every interface does (the CLI now, a server next): ingest streams, resolve,
        // query, render the JSON views. Results are values; interfaces only parse and render.
        .target(
            name: "LineageEngine",
            dependencies: ["LineageStore", "LineageCore", "LineageBuildInfo", .product(name: "Yams", package: "Yams")]
        ),
        // `lineage serve`: the engine over HTTP (Hummingbird 2). Routes parse, call the engine, render.
        .target(
            name: "LineageServer",
            dependencies: ["LineageEngine", "LineageStore", "LineageCore", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTLS", package: "hummingbird"), .product(name: "Prometheus", package: "swift-prometheus"),
                           .product(name: "JWTKit", package: "jwt-kit"), .product(name: "AsyncHTTPClient", package: "async-http-client")],
            plugins: ["EmbedOpenAPI"]
        ),
        // docs/openapi.yaml, built into the server as a string (served at /openapi.yaml).
        .plugin(name: "EmbedOpenAPI", capability: .buildTool()),
        // One file per subcommand.
        .target(
            name: "LineageCLI",
            dependencies: [
                "LineageEngine", "LineageStore", "LineageCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The `@main` entry point only. Linked by the toolchain's lld (gold cannot link the release
        // build's static-pie, see the Makefile) with packed relative relocations (DT_RELR): ~92,000
        // pointers are relocated at every start, and gold's 2.2 MB table of them cost each command
        // about 1.3 ms. The static Swift runtime's link arguments export every public symbol of the
        // program (~12,500) for nothing: in a dynamically linked build, each symbol the shared
        // libraries bind was looked up among them first (a `record run` ~1.9 ms faster without).
        .executableTarget(
            name: "lineage",
            dependencies: ["LineageCLI"],
            linkerSettings: [.unsafeFlags(["-use-ld=lld"] + ["-z", "pack-relative-relocs", "--no-export-dynamic"].flatMap { ["-Xlinker", $0] })]
        ),
        // The process `lineage serve` becomes: apart from `lineage`, whose every command would start
        // more slowly with Hummingbird and SwiftNIO linked in.
        .executableTarget(
            name: "lineage-server",
            dependencies: ["LineageServer", "LineageEngine", "LineageStore", "LineageCore"],
            path: "Sources/LineageServerMain",
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),
        // `make bench`: builds a synthetic store and times lineage against its references.
        .executableTarget(
            name: "lineage-bench",
            dependencies: ["LineageStore", "LineageCore"],
            path: "Sources/LineageBench",
            linkerSettings: [.unsafeFlags(["-use-ld=lld"])]
        ),

        // `make fuzz`: the untrusted-input parsers under libFuzzer; built plainly, it replays a corpus.
        .executableTarget(name: "lineage-fuzz", dependencies: ["LineageCore"], path: "Fuzz/Sources",
                          linkerSettings: [.unsafeFlags(["-use-ld=lld"])]),

        .testTarget(name: "GitStoreTests", dependencies: ["GitStore", "Clibgit2"]),
        .testTarget(name: "LineageCoreTests", dependencies: ["LineageCore"]),
        .testTarget(
            name: "LineageStoreTests",
            dependencies: ["LineageStore", "LineageCore", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(name: "LineageServerTests", dependencies: ["LineageServer"]),
        .testTarget(name: "LineageCLITests", dependencies: ["LineageCLI", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .testTarget(name: "LineageEngineTests", dependencies: ["LineageEngine", "LineageStore", "LineageCore"]),
        .testTarget(name: "LineageEndToEndTests", dependencies: ["LineageCore"]),
    ]
)

import Foundation

/// Runs whole processes and times them, as a user would experience them.
enum Timing {
    /// Runs `arguments` and returns its wall time in seconds and its exit status; output is discarded
    /// unless `capture` names a file.
    static func run(_ arguments: [String], directory: String, capture: String? = nil) throws -> (Double, Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let capture {
            FileManager.default.createFile(atPath: capture, contents: nil)
            process.standardOutput = FileHandle(forWritingAtPath: capture)
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = FileHandle.nullDevice
        let start = DispatchTime.now()
        try process.run()
        process.waitUntilExit()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return (seconds, process.terminationStatus)
    }

    /// The median wall time of `repeats` runs; fails if any run fails.
    static func median(_ arguments: [String], directory: String, repeats: Int) throws -> Double {
        var times: [Double] = []
        for _ in 0..<repeats {
            let (seconds, status) = try run(arguments, directory: directory)
            guard status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) exited \(status)") }
            times.append(seconds)
        }
        return times.sorted()[times.count / 2]
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

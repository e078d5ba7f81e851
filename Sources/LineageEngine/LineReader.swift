import Foundation
import LineageStore
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file or standard input line by line in fixed-size chunks, never holding more than one
/// line (up to `maximumLineLength`) in memory; longer lines are reported, not loaded.
public struct LineReader {
    /// One line, without its newline, or a line that was too long.
    public enum Line {
        case text([UInt8], number: Int)
        case tooLong(number: Int, length: Int)
        /// The last line of the input had no newline: it may have been cut off.
        case unterminated([UInt8], number: Int)
    }

    let descriptor: Int32
    let maximumLineLength: Int
    /// What is read, for messages: the path, or "standard input".
    public let name: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var finished = false
    private var lineNumber = 0
    /// Bytes read so far.
    private(set) var bytesRead: Int64 = 0
    /// Why reading stopped early, if it failed (not at the end of the input).
    public private(set) var failure: String?

    /// Reads an open descriptor (not closed by `close`, if it is standard input).
    public init(descriptor: Int32, maximumLineLength: Int, name: String = "standard input") {
        self.descriptor = descriptor
        self.maximumLineLength = maximumLineLength
        self.name = name
    }

    /// Reads lines from bytes in memory (a request body, a test's input).
    public init(bytes: [UInt8], maximumLineLength: Int, name: String = "the input") {
        self.init(descriptor: -1, maximumLineLength: maximumLineLength, name: name)
        buffer = bytes
        finished = true
    }

    /// The size of the file being read, or nil when it is not a regular file (a pipe, a terminal).
    public var fileSize: Int64? {
        var info = stat()
        guard descriptor >= 0, fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// How far reading has got into the file: its descriptor's offset, which the kernel keeps, so
    /// any thread may ask (a progress line does while the ingest pipeline reads).
    public var fileOffset: Int64? {
        guard descriptor >= 0 else { return nil }
        let offset = lseek(descriptor, 0, SEEK_CUR)
        return offset >= 0 ? Int64(offset) : nil
    }

    /// True for a line of NDJSON that holds nothing but spaces, tabs and carriage returns: skipped,
    /// not a record and not an error (the one rule, for every reader of NDJSON).
    public static func isBlank<Bytes: Collection<UInt8>>(_ line: Bytes) -> Bool {
        line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }

    /// Opens `path`, or standard input for "-".
    public static func open(_ path: String, maximumLineLength: Int) throws -> LineReader {
        if path == "-" { return LineReader(descriptor: STDIN_FILENO, maximumLineLength: maximumLineLength) }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LineageError.input("cannot read \(path): \(String(cString: strerror(errno))); check the path")
        }
        var info = stat()
        if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
            Glibc.close(descriptor)
            throw LineageError.input("\(path) is a directory; give an NDJSON file, or - for standard input")
        }
        return LineReader(descriptor: descriptor, maximumLineLength: maximumLineLength, name: path)
    }

    private mutating func fill() -> Bool {
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var count: Int
        repeat {
            count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        } while count < 0 && errno == EINTR
        guard count > 0 else {
            // A read error is not the end of the input: the caller reports it, and the incomplete
            // line held so far is dropped rather than taken as the input's last line.
            if count < 0 {
                failure = String(cString: strerror(errno))
                buffer.removeAll()
                position = 0
            }
            finished = true
            return false
        }
        bytesRead += Int64(count)
        buffer.append(contentsOf: chunk[0..<count])
        return true
    }

    /// The next line, or nil at the end of the input.
    public mutating func next() -> Line? {
        var skipped = 0
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                lineNumber += 1
                let length = newline - position + skipped
                defer { position = newline + 1 }
                if skipped > 0 || length > maximumLineLength { return .tooLong(number: lineNumber, length: length) }
                return .text(Array(buffer[position..<newline]), number: lineNumber)
            }
            if buffer.count - position > maximumLineLength {
                // Drop what is held of an over-long line and keep scanning for its end.
                skipped += buffer.count - position
                position = buffer.count
            }
            if finished || !fill() {
                guard position < buffer.count || skipped > 0 else { return nil }
                lineNumber += 1
                let rest = Array(buffer[position...])
                position = buffer.count
                if skipped > 0 { return .tooLong(number: lineNumber, length: skipped + rest.count) }
                return .unterminated(rest, number: lineNumber)
            }
        }
    }

    /// True when a whole line is already held, so `next` returns without reading.
    var holdsLine: Bool { buffer[position...].contains(0x0A) }

    /// Waits up to `seconds` for more input; false if none came (the stream is quiet).
    func waitForInput(seconds: Double) -> Bool {
        guard !finished else { return true }
        var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(min(max(seconds, 0) * 1000, Double(Int32.max)).rounded(.up))
        return poll(&request, 1, milliseconds) != 0
    }

    /// True when the whole input is there already (a regular file, bytes in memory), so lines can
    /// be read ahead without waiting on a stream.
    var isComplete: Bool {
        guard descriptor >= 0 else { return true }
        var info = stat()
        return fstat(descriptor, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    public func close() {
        if descriptor != STDIN_FILENO && descriptor >= 0 { Glibc.close(descriptor) }
    }
}

import Crypto
import Synchronization

/// Random bytes for salts and payload keys: 64 KiB at a time of ChaCha20 keystream under a key
/// drawn from the system's CSPRNG, one system call per thousand payloads instead of two per payload. Bytes handed out are
/// dropped from the buffer, so none is ever used twice. Thread-safe: the buffer is behind a `Mutex`.
public enum RandomBytes {
    private static let buffer = Mutex<(bytes: [UInt8], next: Int)>(([], 0))
    private static let refill = 65_536
    private static let zeros = [UInt8](repeating: 0, count: refill)
    private static let nonce = try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))

    /// `count` fresh random bytes (at most 64 KiB).
    public static func take(_ count: Int) -> [UInt8] {
        precondition(count <= refill)
        return buffer.withLock { state in
            if state.next + count > state.bytes.count {
                // ChaCha20's keystream under a fresh 256-bit key from the system (the construction
                // of arc4random and of the kernel's own generator): one system call per refill.
                let seed = SymmetricKey(size: .bits256)
                let fresh = Array(try! ChaChaPoly.seal(zeros, using: seed, nonce: nonce).ciphertext)
                state = (fresh, 0)
            }
            defer {
                // Zeroed once taken, so a later dump of the buffer holds no key in use.
                for i in state.next..<(state.next + count) { state.bytes[i] = 0 }
                state.next += count
            }
            return Array(state.bytes[state.next..<(state.next + count)])
        }
    }
}

import Crypto

/// The file format of a payload pack (`payloads/packs/<commit>.pack`): the raw payloads of one
/// batch, each sealed (ChaCha20-Poly1305) with a key of its own, so that erasing one payload is
/// overwriting its 64 bytes of salt and key with zeros (crypto-shredding), never rewriting the log
/// or the rest of the pack. See docs/store-layout.md.
///
/// Layout: a 64-byte header (`LINPAYL1`, the entry count as a little-endian UInt64, zeros), then
/// one 128-byte entry per payload in commitment order (commitment, salt, key, offset and length of
/// the sealed payload, state), then the sealed payloads (ciphertext and tag; the nonce is fixed), each bound to
/// its commitment as associated data.
public enum PayloadPack {
    public static let magic = Array("LINPAYL1".utf8)
    public static let headerSize = 64
    public static let entrySize = 128
    /// Where an entry's salt and key begin, and how long they are together: what erasure zeroes.
    public static let secretOffset = 32, secretLength = 64
    /// Where an entry's state byte is.
    public static let stateOffset = 112

    /// One entry of the table.
    public struct Entry: Sendable, Equatable {
        public let commitment: Digest
        public let salt: [UInt8]
        public let key: [UInt8]
        public let offset: UInt64
        public let length: UInt64
        /// True once erased: salt and key are zeros.
        public let erased: Bool
    }

    /// State bytes.
    public static let stored: UInt8 = 1, erasedState: UInt8 = 2

    /// The pack holding `payloads` (one per commitment; later duplicates are dropped), each sealed
    /// under a fresh random key.
    public static func encode(_ payloads: [CommittedPayload]) -> [UInt8] {
        var seen = Set<Digest>()
        // Digests compare by their words in byte order, without building byte arrays.
        let order = payloads.indices.filter { seen.insert(payloads[$0].commitment).inserted }
            .sorted { payloads[$0].commitment.ordered(before: payloads[$1].commitment) }
        let dataStart = headerSize + order.count * entrySize
        // One buffer: the header, the table (filled in as each payload is sealed), then the sealed bytes.
        var bytes = [UInt8](repeating: 0, count: dataStart)
        bytes.reserveCapacity(dataStart + order.reduce(0) { $0 + payloads[$1].bytes.count + 16 })
        bytes.replaceSubrange(0..<8, with: magic)
        put(UInt64(order.count), into: &bytes, at: 8)
        for (slot, i) in order.enumerated() {
            let payload = payloads[i]
            let key = RandomBytes.take(32)
            let box = try! ChaChaPoly.seal(payload.bytes, using: SymmetricKey(data: key), nonce: nonce, authenticating: payload.commitment.bytes)
            let entry = headerSize + slot * entrySize
            let offset = bytes.count
            bytes.append(contentsOf: box.ciphertext)
            bytes.append(contentsOf: box.tag)
            bytes.replaceSubrange(entry..<(entry + 32), with: payload.commitment.bytes)
            bytes.replaceSubrange((entry + 32)..<(entry + 64), with: payload.salt)
            bytes.replaceSubrange((entry + 64)..<(entry + 96), with: key)
            put(UInt64(offset), into: &bytes, at: entry + 96)
            put(UInt64(bytes.count - offset), into: &bytes, at: entry + 104)
            bytes[entry + stateOffset] = stored
        }
        return bytes
    }

    /// `pack` without the sealed bytes of its erased payloads, or nil when it has none to drop (or
    /// is not a pack). Entries keep their order; erased ones keep their commitment and state, with
    /// no secret and no bytes. `erased`: commitments to treat as erased whatever the pack says (those
    /// the log's erasure records name, so that an erasure racing the rewrite is not undone).
    public static func compacted(_ pack: [UInt8], erased: Set<Digest>) -> [UInt8]? {
        guard let count = count(header: Array(pack.prefix(headerSize))), pack.count >= headerSize + count * entrySize else { return nil }
        let entries = (0..<count).map { entry(pack[(headerSize + $0 * entrySize)..<(headerSize + ($0 + 1) * entrySize)]) }
        func gone(_ entry: Entry) -> Bool { entry.erased || erased.contains(entry.commitment) }
        guard entries.allSatisfy({ $0 != nil }), entries.contains(where: { gone($0!) && $0!.length > 0 }) else { return nil }
        var bytes = Array(pack[0..<(headerSize + count * entrySize)])
        for (slot, entry) in entries.enumerated() {
            let base = headerSize + slot * entrySize
            if gone(entry!) {
                bytes.replaceSubrange((base + secretOffset)..<(base + secretOffset + secretLength), with: erasedSecret)
                bytes[base + stateOffset] = erasedState
                put(UInt64(bytes.count), into: &bytes, at: base + 96)
                put(0, into: &bytes, at: base + 104)
                continue
            }
            guard entry!.length <= UInt64(pack.count), entry!.offset <= UInt64(pack.count) - entry!.length else { return nil }
            let offset = bytes.count
            bytes += pack[Int(entry!.offset)..<Int(entry!.offset + entry!.length)]
            put(UInt64(offset), into: &bytes, at: base + 96)
        }
        return bytes
    }

    private static func put(_ value: UInt64, into bytes: inout [UInt8], at offset: Int) {
        for i in 0..<8 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(i * 8)) }
    }

    /// The nonce of every sealed payload: fixed, which is safe because each key seals one payload only.
    private static let nonce = try! ChaChaPoly.Nonce(data: [UInt8](repeating: 0, count: 12))

    /// The entry count in a pack's header, or nil if `header` is not one.
    public static func count(header: [UInt8]) -> Int? {
        guard header.count >= headerSize, Array(header[0..<8]) == magic else { return nil }
        let count = read(header, at: 8)
        return count <= UInt64(Int32.max) ? Int(count) : nil
    }

    /// Parses a 128-byte entry; nil if it is not one.
    public static func entry(_ bytes: ArraySlice<UInt8>) -> Entry? {
        let b = Array(bytes)
        guard b.count == entrySize, let commitment = Digest(bytes: Array(b[0..<32])),
              b[stateOffset] == stored || b[stateOffset] == erasedState else { return nil }
        return Entry(commitment: commitment, salt: Array(b[32..<64]), key: Array(b[64..<96]),
                     offset: read(b, at: 96), length: read(b, at: 104), erased: b[stateOffset] == erasedState)
    }

    /// The 64 zero bytes and the state byte that erase an entry, and where they go in the entry.
    public static var erasedSecret: [UInt8] { [UInt8](repeating: 0, count: secretLength) }

    /// Opens a sealed payload with its entry's key; throws if the bytes were altered.
    public static func open(_ sealed: [UInt8], entry: Entry) throws -> [UInt8] {
        guard sealed.count >= 16 else { throw CryptoKitError.incorrectParameterSize }
        let box = try ChaChaPoly.SealedBox(nonce: nonce, ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
        return Array(try ChaChaPoly.open(box, using: SymmetricKey(data: entry.key), authenticating: entry.commitment.bytes))
    }

    private static func read(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[offset + $1]) << UInt64($1 * 8) }
    }
}

import Clibgit2

/// Owns one libgit2 object handed out through an out-pointer and frees it exactly once, in `deinit`.
///
/// The pointer is handed out only inside `with`, which keeps the owner alive until the closure
/// returns: data read through it is copied into Swift values there, before the object can be freed
/// (an owner's last use may otherwise be followed at once by its `deinit`).
final class Owned {
    private let pointer: OpaquePointer
    private let free: (OpaquePointer) -> Void

    init(_ pointer: OpaquePointer, free: @escaping (OpaquePointer) -> Void) {
        self.pointer = pointer
        self.free = free
    }

    /// Takes ownership of what a libgit2 constructor put in its out-pointer, after checking the
    /// constructor's result through the error funnel.
    static func take(
        _ result: Int32, _ out: OpaquePointer?, _ function: String, free: @escaping (OpaquePointer) -> Void
    ) throws -> Owned {
        if result < 0, let out { free(out) }
        try check(result, function)
        guard let pointer = out else {
            throw GitError(code: .generic, function: function, message: "libgit2 returned no object")
        }
        return Owned(pointer, free: free)
    }

    /// Calls `body` with the object, alive until `body` returns; never let the pointer escape it.
    func with<T>(_ body: (OpaquePointer) throws -> T) rethrows -> T {
        try withExtendedLifetime(self) { try body(pointer) }
    }

    deinit { free(pointer) }
}

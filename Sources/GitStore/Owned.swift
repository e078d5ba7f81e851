import Clibgit2

/// Owns one libgit2 object handed out through an out-pointer and frees it exactly once, in `deinit`.
///
/// Data is copied into Swift values while the owner is alive; the raw pointer never leaves the
/// function that created the owner.
final class Owned {
    let pointer: OpaquePointer
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

    deinit { free(pointer) }
}

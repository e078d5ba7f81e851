import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive advisory lock on the store, held while a batch is built and appended, so that
/// version numbers and duplicate checks see every earlier batch. The ref update is still a
/// compare-and-swap, so a writer that ignores the lock cannot overwrite a batch.
final class WriteLock {
    private let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if descriptor < 0, errno == EACCES || errno == EROFS || errno == EPERM {
            throw LineageError.storage("this store is read-only for you (\(String(cString: strerror(errno))) opening its lock \(path)); writing needs write access to the store")
        }
        guard descriptor >= 0 else {
            throw LineageError.storage("cannot open the store lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw LineageError.storage("cannot lock the store (\(reason)); is another lineage process stuck?")
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

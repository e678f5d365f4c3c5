import Glibc

/// A pthread mutex with its condition variable: Foundation's `NSLock` and
/// `NSCondition` in one, without Foundation (whose ICU data would make every
/// tool 34 MB larger). As with any condition variable, `wait` may return
/// without a `broadcast`, so callers wait in a loop on their condition.
public final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    public func lock() { pthread_mutex_lock(mutex) }

    public func unlock() { pthread_mutex_unlock(mutex) }

    /// Unlocks, sleeps until a `broadcast` (or spuriously), and locks again.
    public func wait() { pthread_cond_wait(condition, mutex) }

    /// Wakes every thread waiting.
    public func broadcast() { pthread_cond_broadcast(condition) }

    public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }
}

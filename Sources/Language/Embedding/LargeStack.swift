#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the interpreter on a thread with a large stack, so 10 000 nested `.bm` calls (each several Swift frames)
/// cannot overflow the native stack; the call depth limit turns runaway recursion into a script error first.
enum LargeStack {
    static let size = 512 << 20

    private final class Job {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a fresh thread with a `size`-byte stack and waits for it.
    static func run(_ body: () -> Void) {
        withoutActuallyEscaping(body) { escapable in
            let job = Job(escapable)
            var attributes = pthread_attr_t()
            pthread_attr_init(&attributes)
            defer { pthread_attr_destroy(&attributes) }
            pthread_attr_setstacksize(&attributes, size)
            let context = Unmanaged.passRetained(job).toOpaque()
            #if canImport(Glibc)
            var thread = pthread_t()
            #else
            var thread: pthread_t? = nil
            #endif
            let status = pthread_create(&thread, &attributes, { context in
                let job = Unmanaged<Job>.fromOpaque(context!).takeRetainedValue()
                job.body()
                return nil
            }, context)
            if status != 0 {
                // No thread could be made (resource limits): run here rather than not at all.
                Unmanaged<Job>.fromOpaque(context).release()
                escapable()
                return
            }
            #if canImport(Glibc)
            pthread_join(thread, nil)
            #else
            pthread_join(thread!, nil)
            #endif
        }
    }
}

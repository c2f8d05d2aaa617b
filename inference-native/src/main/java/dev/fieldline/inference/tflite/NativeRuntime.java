package dev.fieldline.inference.tflite;

import java.time.Duration;

/**
 * Whether a native TensorFlow Lite runtime loaded in this JVM, and what that took.
 *
 * @param available it loaded and answered a call
 * @param reason why not, naming the platform and the artifact (empty when available)
 * @param version the runtime's own version string (empty when unavailable)
 * @param loadTime extracting and loading the native library and the first call into it
 */
record NativeRuntime(boolean available, String reason, String version, Duration loadTime) {

    static NativeRuntime unavailable(String reason) {
        return new NativeRuntime(false, reason, "", Duration.ZERO);
    }

    static NativeRuntime loaded(String version, long startNanos) {
        return new NativeRuntime(true, "", version, Duration.ofNanos(System.nanoTime() - startNanos));
    }
}

package dev.fieldline.inference.tflite;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads TensorFlow Lite 2.20 of {@code org.bytedeco:tensorflow-lite} (JavaCPP) once per JVM. JavaCPP
 * extracts its libraries to its cache directory ({@code ~/.javacpp/cache} unless
 * {@code org.bytedeco.javacpp.cachedir} says otherwise). Natives are bundled for linux-x86_64 and
 * linux-arm64 (64-bit Raspberry Pi OS).
 */
final class JavacppTflite {

    static final String VERSION = "2.20";
    private static final String ARTIFACT = "org.bytedeco:tensorflow-lite:2.20.0-1.5.13";
    private static final Logger LOG = LoggerFactory.getLogger(JavacppTflite.class);

    private static NativeRuntime runtime;

    private JavacppTflite() {}

    static synchronized NativeRuntime runtime() {
        if (runtime == null) {
            runtime = load(NativePlatform.current());
            if (runtime.available()) {
                LOG.info("TensorFlow Lite {} (JavaCPP) loaded in {} ms", runtime.version(), runtime.loadTime().toMillis());
            } else {
                LOG.debug("engine tflite-javacpp unavailable: {}", runtime.reason());
            }
        }
        return runtime;
    }

    static NativeRuntime load(NativePlatform platform) {
        String javacppPlatform;
        if (platform.is("linux", "x86_64")) {
            javacppPlatform = "linux-x86_64";
        } else if (platform.is("linux", "aarch64")) {
            javacppPlatform = "linux-arm64";
        } else {
            return NativeRuntime.unavailable("no TensorFlow Lite " + VERSION + " native library for " + platform.id()
                    + " in this build (" + ARTIFACT + " is bundled for linux-x86_64 and linux-arm64)");
        }
        ClassLoader loader = JavacppTflite.class.getClassLoader();
        String resource = "org/bytedeco/tensorflowlite/" + javacppPlatform + "/libjnitensorflowlite.so";
        if (loader.getResource(resource) == null) {
            return NativeRuntime.unavailable(ARTIFACT + ":" + javacppPlatform + " is not on the class path (no "
                    + resource + ")");
        }
        try {
            Class.forName("org.bytedeco.javacpp.Loader", false, loader);
        } catch (ClassNotFoundException e) {
            return NativeRuntime.unavailable("org.bytedeco:javacpp is not on the class path");
        }
        long start = System.nanoTime();
        try {
            return NativeRuntime.loaded(JavacppTfliteSession.loadAndGetVersion(), start);
        } catch (LinkageError | RuntimeException e) {
            return NativeRuntime.unavailable("cannot load TensorFlow Lite " + VERSION + " from " + ARTIFACT + " on "
                    + platform.id() + ": " + e);
        }
    }
}

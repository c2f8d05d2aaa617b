package dev.fieldline.inference.tflite;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the TensorFlow Lite 2.6.2 JNI library of {@code ai.djl.tflite:tflite-native-cpu} once per
 * JVM. The {@code org.tensorflow.lite} classes never load it themselves (they try
 * {@code System.loadLibrary}, which finds nothing in a jar): the library is copied from the class
 * path to a temporary file, {@code System.load}ed by absolute path, and the file removed again
 * (the loaded mapping stays).
 */
final class TfliteJni {

    static final String VERSION = "2.6.2";
    static final String RESOURCE = "native/lib/libtensorflowlite_jni.so";
    private static final String ARTIFACT = "ai.djl.tflite:tflite-native-cpu";
    private static final Logger LOG = LoggerFactory.getLogger(TfliteJni.class);

    private static NativeRuntime runtime;

    private TfliteJni() {}

    /** The runtime, loading it on the first call. */
    static synchronized NativeRuntime runtime() {
        if (runtime == null) {
            runtime = load(NativePlatform.current());
            if (runtime.available()) {
                LOG.info("TensorFlow Lite {} JNI library loaded in {} ms", runtime.version(),
                        runtime.loadTime().toMillis());
            } else {
                LOG.debug("engine tflite unavailable: {}", runtime.reason());
            }
        }
        return runtime;
    }

    static NativeRuntime load(NativePlatform platform) {
        if (!platform.is("linux", "x86_64")) {
            return NativeRuntime.unavailable("no TensorFlow Lite " + VERSION + " JNI library for " + platform.id()
                    + " in " + ARTIFACT + " (it has linux-x86_64 and osx-x86_64 only)");
        }
        ClassLoader loader = TfliteJni.class.getClassLoader();
        URL url = loader.getResource(RESOURCE);
        if (url == null) {
            return NativeRuntime.unavailable(ARTIFACT + ":" + VERSION + ":linux-x86_64 is not on the class path (no "
                    + RESOURCE + ")");
        }
        try {
            Class.forName("org.tensorflow.lite.Interpreter", false, loader);
        } catch (ClassNotFoundException e) {
            return NativeRuntime.unavailable("ai.djl.tflite:tflite-engine (org.tensorflow.lite.Interpreter) is not on"
                    + " the class path");
        }
        long start = System.nanoTime();
        Path copy = null;
        try {
            copy = Files.createTempFile("fieldline-tensorflowlite_jni-", ".so");
            try (InputStream in = url.openStream()) {
                Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
            }
            System.load(copy.toAbsolutePath().toString());
            return NativeRuntime.loaded(TfliteJniSession.runtimeVersion(), start);
        } catch (IOException | LinkageError e) {
            return NativeRuntime.unavailable("cannot load the TensorFlow Lite " + VERSION + " JNI library from " + ARTIFACT
                    + ": " + e);
        } finally {
            if (copy != null) {
                try {
                    Files.deleteIfExists(copy);
                } catch (IOException e) {
                    LOG.debug("could not remove {}: {}", copy, e.toString());
                }
            }
        }
    }
}

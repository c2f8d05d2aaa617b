package dev.fieldline.inference.tflite;

import java.util.Locale;

/**
 * The operating system and CPU this JVM runs on, named as native library jars name them
 * ({@code linux-x86_64}, {@code linux-aarch64}).
 *
 * @param os {@code linux}, {@code macosx}, {@code windows} or what {@code os.name} says
 * @param arch {@code x86_64}, {@code aarch64}, {@code arm} or what {@code os.arch} says
 */
record NativePlatform(String os, String arch) {

    static NativePlatform current() {
        return of(System.getProperty("os.name", ""), System.getProperty("os.arch", ""));
    }

    static NativePlatform of(String osName, String osArch) {
        String n = osName.toLowerCase(Locale.ROOT);
        String os = n.startsWith("linux") ? "linux"
                : n.startsWith("mac") || n.startsWith("darwin") ? "macosx"
                : n.startsWith("windows") ? "windows"
                : n.replace(' ', '_');
        String a = osArch.toLowerCase(Locale.ROOT);
        String arch = switch (a) {
            case "amd64", "x86_64", "x64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            case "arm", "armv7l", "armhf", "aarch32" -> "arm";
            default -> a;
        };
        return new NativePlatform(os, arch);
    }

    /** {@code linux-x86_64}. */
    String id() {
        return os + "-" + arch;
    }

    boolean is(String os, String arch) {
        return this.os.equals(os) && this.arch.equals(arch);
    }
}

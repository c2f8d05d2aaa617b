package dev.fieldline.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Finding real peer programs and free loopback ports. A test whose peer binary is missing is
 * skipped with a printed reason, except when {@code CI=true}, where it fails.
 */
public final class Peers {
    private Peers() {
    }

    public static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Looks a program up on PATH and in the sbin directories Debian puts daemons in. */
    public static Optional<Path> find(String program) {
        String path = System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin:/sbin:/usr/local/sbin";
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /**
     * The first of the given programs that exists; otherwise skips the test (outside CI) or fails it
     * (CI=true), naming the Debian package that provides it.
     */
    public static Path require(String debianPackage, String... programs) {
        for (String program : programs) {
            Optional<Path> p = find(program);
            if (p.isPresent()) {
                return p.get();
            }
        }
        throw missing("peer program " + String.join(" or ", programs) + " not found (install Debian package '"
                + debianPackage + "', or run .ci/run)");
    }

    /**
     * Returns {@code dir} when {@code present} says the data set is there; otherwise skips the test
     * (outside CI) or fails it (CI=true), naming the Debian package that installs it.
     */
    public static Path requireData(Path dir, boolean present, String dataSet, String debianPackage) {
        if (present) {
            return dir;
        }
        throw missing(dataSet + " not found in " + dir + " (install Debian package '" + debianPackage + "')");
    }

    /** Skips (outside CI) or fails (CI=true) with the reason; never returns normally. */
    private static AssertionError missing(String reason) {
        if (inCi()) {
            Assertions.fail(reason + "; CI=true, so this is a failure, not a skip");
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
        return new AssertionError("unreachable");
    }

    /** A TCP port free on 127.0.0.1 at the time of the call. */
    public static int freeTcpPort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A UDP port free on 127.0.0.1 at the time of the call. */
    public static int freeUdpPort() {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.fieldline.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference data kept outside the repository in {@code ../shared} (models with golden outputs,
 * NAB). Found through {@code FIELDLINE_SHARED} or by walking up from the working directory to a
 * directory that has {@code shared/} beside it. A test that needs it and does not find it is skipped
 * with a printed reason, except when {@code CI=true}, where it fails.
 */
public final class SharedData {

    private SharedData() {}

    /** The shared directory, if there is one. */
    public static Optional<Path> root() {
        String env = System.getenv("FIELDLINE_SHARED");
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared");
            if (Files.isDirectory(candidate.resolve("models")) || Files.isDirectory(candidate.resolve("nab"))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code shared/<sub>}; skips (or in CI fails) the test when it is absent. */
    public static Path require(String sub) {
        Optional<Path> p = root().map(r -> r.resolve(sub)).filter(Files::exists);
        if (p.isPresent()) {
            return p.get();
        }
        String reason = "reference data shared/" + sub + " not found (set FIELDLINE_SHARED or check out ../shared)";
        if (Peers.inCi()) {
            Assertions.fail(reason + "; CI=true, so this is a failure, not a skip");
        }
        System.out.println("SKIPPED: " + reason);
        Assumptions.abort(reason);
        throw new AssertionError("unreachable");
    }
}

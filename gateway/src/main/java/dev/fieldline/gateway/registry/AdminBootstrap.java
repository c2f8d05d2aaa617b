package dev.fieldline.gateway.registry;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start in secure mode: with no active admin token, the gateway creates one and writes it to
 * {@code {dataDir}/admin.token}, created with permissions 0600 (owner read/write only) from the
 * start. Only the file's path is logged.
 */
public final class AdminBootstrap {
    private static final Logger log = LoggerFactory.getLogger(AdminBootstrap.class);
    /** The file name under the data directory. */
    public static final String FILE_NAME = "admin.token";

    private AdminBootstrap() {
    }

    /** Creates and writes an admin token if none is active; returns the file it wrote, if it did. */
    public static Optional<Path> ensureAdminToken(DeviceRegistry registry, Path dataDir) {
        if (registry.hasAdminToken()) {
            return Optional.empty();
        }
        Path file = dataDir.resolve(FILE_NAME).toAbsolutePath();
        IssuedApiToken token = registry.createApiToken("bootstrap-admin", Role.ADMIN);
        try {
            writePrivate(file, token.token() + "\n");
        } catch (IOException | RuntimeException e) {
            registry.revokeApiToken(token.info().id());
            throw new RegistryException(RegistryException.Reason.FAILED, "cannot write the admin token to " + file + ": "
                    + e.getMessage(), e);
        }
        log.info("created an admin API token for the first start in secure mode: see {} (owner-only file)", file);
        return Optional.of(file);
    }

    /** Writes text to a new file that is 0600 from its creation (an older file is replaced). */
    public static void writePrivate(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " appeared while it was being replaced", e);
        }
        try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
    }
}

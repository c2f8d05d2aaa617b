package dev.fieldline.gateway.security;

import dev.fieldline.protocol.DeviceIds;
import dev.fieldline.protocol.KeyIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The CA's record of the device certificates it issued, one line each in {@code ca/issued.log}:
 * {@code serial-hex device-id kid-hex not-after-epoch-seconds}. Append-only; no secret in it. A
 * line that does not parse (a torn last line after a crash) is skipped: the certificate it named is
 * then unknown to {@link GatewayCa#revocationList revocation}, which the operator can fix by
 * re-keying that device.
 */
public final class IssuedCertificates {
    static final String FILE_NAME = "issued.log";

    /**
     * One issued device certificate.
     *
     * @param serial the certificate's serial number
     * @param deviceId its subject CN
     * @param kidHex the key id ({@link KeyIds}) of the certified key
     * @param notAfter its expiry
     */
    public record Issued(BigInteger serial, String deviceId, String kidHex, Instant notAfter) {
        public Issued {
            Objects.requireNonNull(serial, "serial");
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(kidHex, "kidHex");
            Objects.requireNonNull(notAfter, "notAfter");
        }
    }

    private final Path file;

    IssuedCertificates(Path file) {
        this.file = file;
    }

    synchronized void record(X509Certificate cert, String deviceId, PublicKey key) {
        String line = cert.getSerialNumber().toString(16) + " " + deviceId + " " + KeyIds.hex(KeyIds.of(key)) + " "
                + cert.getNotAfter().toInstant().getEpochSecond() + "\n";
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PrivateFiles.PUBLIC_FILE));
            }
            Files.writeString(file, line, StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the certificate issued to " + deviceId + " in " + file, e);
        }
    }

    /** Every recorded certificate, oldest first. */
    public synchronized List<Issued> all() {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<Issued> out = new ArrayList<>(lines.size());
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f.length != 4 || !DeviceIds.isValid(f[1]) || !f[0].matches("[0-9a-f]{1,40}") || !f[2].matches("[0-9a-f]{32}")
                    || !f[3].matches("[0-9]{1,12}")) {
                continue;
            }
            out.add(new Issued(new BigInteger(f[0], 16), f[1], f[2], Instant.ofEpochSecond(Long.parseLong(f[3]))));
        }
        return out;
    }
}

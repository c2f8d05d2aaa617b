package dev.fieldline.agent.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.protocol.KeyIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.interfaces.ECPublicKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceIdentityTest {
    @TempDir
    Path data;

    private Path keyFile() {
        return data.resolve("identity").resolve("device.key");
    }

    @Test
    void firstStartCreatesAnOwnerOnlyP256KeyAndLaterStartsLoadIt() throws Exception {
        DeviceIdentity first = DeviceIdentity.loadOrCreate(data);

        assertThat(Files.getPosixFilePermissions(keyFile())).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(data.resolve("identity"))).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.readString(keyFile())).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(((ECPublicKey) first.publicKey()).getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        assertThat(first.kid()).isEqualTo(KeyIds.of(first.publicKey()));
        assertThat(first.toString()).contains(first.kidHex()).doesNotContain("PRIVATE");
        try (var leftovers = Files.list(data.resolve("identity"))) {
            assertThat(leftovers.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("device.key", "device.pub");
        }

        DeviceIdentity again = DeviceIdentity.loadOrCreate(data);
        assertThat(again.kidHex()).isEqualTo(first.kidHex());
        assertThat(again.privateKey().getEncoded()).isEqualTo(first.privateKey().getEncoded());
    }

    @Test
    void aKeyFileReadableByOthersStopsTheStart() throws Exception {
        DeviceIdentity.loadOrCreate(data);
        Files.setPosixFilePermissions(keyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> DeviceIdentity.loadOrCreate(data))
                .isInstanceOfSatisfying(IdentityException.class,
                        e -> assertThat(e.problem()).isEqualTo(IdentityException.Problem.KEY_FILE_EXPOSED))
                .hasMessageContaining("device.key").hasMessageContaining("rw-r--r--");
    }

    @Test
    void aCorruptKeyStopsTheStart() throws Exception {
        DeviceIdentity.loadOrCreate(data);
        Files.writeString(keyFile(), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> DeviceIdentity.loadOrCreate(data)).isInstanceOfSatisfying(IdentityException.class,
                e -> assertThat(e.problem()).isEqualTo(IdentityException.Problem.CORRUPT));
    }

    @Test
    void aPublicKeyFromAnotherPairIsCorrupt() throws Exception {
        DeviceIdentity.loadOrCreate(data);
        Path other = data.resolve("other");
        DeviceIdentity.loadOrCreate(other);
        Files.copy(other.resolve("identity/device.pub"), data.resolve("identity/device.pub"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        assertThatThrownBy(() -> DeviceIdentity.loadOrCreate(data)).isInstanceOfSatisfying(IdentityException.class,
                e -> assertThat(e.problem()).isEqualTo(IdentityException.Problem.CORRUPT)).hasMessageContaining("not one key pair");
    }

    @Test
    void credentialsAreStoredOwnerOnlyAndRoundTrip() throws Exception {
        DeviceCredentials c = new DeviceCredentials("dev-1", "00112233445566778899aabbccddeeff", "secret-token");
        c.save(data);

        Path file = data.resolve("identity").resolve("credentials.json");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(DeviceCredentials.load(data)).contains(c);
        assertThat(c.toString()).doesNotContain("secret-token");
        assertThat(c.dtlsPsk()).isEqualTo(DevicePsk.derive("secret-token"));

        Files.writeString(file, "{\"deviceId\":\"dev-1\"}");
        assertThatThrownBy(() -> DeviceCredentials.load(data)).isInstanceOfSatisfying(IdentityException.class,
                e -> assertThat(e.problem()).isEqualTo(IdentityException.Problem.CORRUPT));
    }
}

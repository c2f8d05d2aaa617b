package dev.fieldline.gateway.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fieldline.protocol.DevicePsk;
import dev.fieldline.protocol.KeyIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.fieldline.gateway.testing.ManualClock;

class DeviceRegistryTest {
    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    private DeviceRegistry registry;

    @BeforeEach
    void open() {
        registry = DeviceRegistry.open(dir, clock);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private DeviceCredentials enroll(String device, KeyPair key) {
        EnrollmentToken t = registry.issueEnrollmentToken(Optional.empty(), Duration.ofHours(1), "test");
        return registry.enroll(device, t.token(), key.getPublic().getEncoded());
    }

    @Test
    void enrollmentRegistersTheKeyAndReturnsWorkingCredentials() {
        KeyPair key = TestKeys.p256();
        DeviceCredentials c = enroll("dev-1", key);

        assertThat(c.deviceId()).isEqualTo("dev-1");
        assertThat(c.kid()).isEqualTo(KeyIds.hex(KeyIds.of(key.getPublic())));
        assertThat(c.toString()).doesNotContain(c.token());
        assertThat(registry.authenticate("dev-1", bytes(c.token()))).isEqualTo(DeviceAuth.OK);
        assertThat(registry.authenticate("dev-1", bytes(c.token() + "x"))).isEqualTo(DeviceAuth.BAD_TOKEN);
        assertThat(registry.authenticate("dev-1", null)).isEqualTo(DeviceAuth.BAD_TOKEN);
        assertThat(registry.authenticate("dev-2", bytes(c.token()))).isEqualTo(DeviceAuth.UNKNOWN_DEVICE);
        DeviceKey k = registry.keyByKid(KeyIds.of(key.getPublic())).orElseThrow();
        assertThat(k.deviceId()).isEqualTo("dev-1");
        assertThat(k.publicKey()).contains(key.getPublic());
        assertThat(registry.dtlsPsk("dev-1")).get().isEqualTo(DevicePsk.derive(c.token()));
    }

    @Test
    void anEnrollmentTokenWorksOnce() {
        EnrollmentToken t = registry.issueEnrollmentToken(Optional.empty(), Duration.ofHours(1), "test");
        registry.enroll("dev-1", t.token(), TestKeys.p256().getPublic().getEncoded());

        assertThatThrownBy(() -> registry.enroll("dev-2", t.token(), TestKeys.p256().getPublic().getEncoded()))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.TOKEN_USED));
        assertThat(registry.device("dev-2")).isEmpty();
    }

    @Test
    void anExpiredTokenIsRefused() {
        EnrollmentToken t = registry.issueEnrollmentToken(Optional.empty(), Duration.ofMinutes(10), "test");
        clock.advance(Duration.ofMinutes(10));

        assertThatThrownBy(() -> registry.enroll("dev-1", t.token(), TestKeys.p256().getPublic().getEncoded()))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.TOKEN_EXPIRED));
    }

    @Test
    void theDefaultLifetimeIsADay() {
        assertThat(DeviceRegistry.DEFAULT_ENROLLMENT_TTL).isEqualTo(Duration.ofHours(24));
        EnrollmentToken t = registry.issueEnrollmentToken(Optional.empty(), DeviceRegistry.DEFAULT_ENROLLMENT_TTL, "test");
        assertThat(t.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(24)));
    }

    @Test
    void aWrongTokenABoundTokenAndABadKeyAreRefusedWithoutSpendingTheToken() {
        EnrollmentToken bound = registry.issueEnrollmentToken(Optional.of("dev-1"), Duration.ofHours(1), "test");
        byte[] key = TestKeys.p256().getPublic().getEncoded();

        assertThatThrownBy(() -> registry.enroll("dev-1", "nope", key)).hasFieldOrPropertyWithValue("reason",
                RegistryException.Reason.INVALID_TOKEN);
        assertThatThrownBy(() -> registry.enroll("dev-2", bound.token(), key)).hasFieldOrPropertyWithValue("reason",
                RegistryException.Reason.TOKEN_DEVICE_MISMATCH);
        assertThatThrownBy(() -> registry.enroll("dev-1", bound.token(), TestKeys.p384().getPublic().getEncoded()))
                .hasFieldOrPropertyWithValue("reason", RegistryException.Reason.BAD_KEY);
        assertThatThrownBy(() -> registry.enroll("dev-1", bound.token(), new byte[] {1, 2, 3}))
                .hasFieldOrPropertyWithValue("reason", RegistryException.Reason.BAD_KEY);

        assertThat(registry.enroll("dev-1", bound.token(), key).deviceId()).isEqualTo("dev-1");
    }

    @Test
    void anEnrolledDeviceCannotBeTakenOverWithAPlainToken() {
        enroll("dev-1", TestKeys.p256());
        assertThatThrownBy(() -> enroll("dev-1", TestKeys.p256())).hasFieldOrPropertyWithValue("reason",
                RegistryException.Reason.ALREADY_ENROLLED);
    }

    @Test
    void rekeyInvalidatesTheOldKeyAndTokenOnceUsed() {
        KeyPair oldKey = TestKeys.p256();
        DeviceCredentials old = enroll("dev-1", oldKey);
        List<String> revoked = new ArrayList<>();
        registry.addRevocationListener(revoked::add);

        EnrollmentToken rekey = registry.rekey("dev-1", Duration.ofHours(1), "admin");
        assertThat(rekey.deviceId()).contains("dev-1");
        assertThat(registry.authenticate("dev-1", bytes(old.token()))).as("old credentials work until the re-key is used")
                .isEqualTo(DeviceAuth.OK);

        clock.advance(Duration.ofMinutes(1));
        KeyPair newKey = TestKeys.p256();
        DeviceCredentials fresh = registry.enroll("dev-1", rekey.token(), newKey.getPublic().getEncoded());

        assertThat(registry.authenticate("dev-1", bytes(old.token()))).isEqualTo(DeviceAuth.BAD_TOKEN);
        assertThat(registry.authenticate("dev-1", bytes(fresh.token()))).isEqualTo(DeviceAuth.OK);
        assertThat(registry.keyByKid(KeyIds.of(oldKey.getPublic()))).isEmpty();
        assertThat(registry.keyByKid(KeyIds.of(newKey.getPublic()))).isPresent();
        assertThat(registry.device("dev-1").orElseThrow().rekeyedAt()).contains(clock.instant());
        assertThat(revoked).containsExactly("dev-1");
        assertThatThrownBy(() -> registry.rekey("ghost", Duration.ofHours(1), "admin"))
                .hasFieldOrPropertyWithValue("reason", RegistryException.Reason.NOT_FOUND);
    }

    @Test
    void disableTakesEffectAtOnceAndEnableRestores() {
        DeviceCredentials c = enroll("dev-1", TestKeys.p256());
        List<String> revoked = new ArrayList<>();
        registry.addRevocationListener(revoked::add);

        registry.disable("dev-1");

        assertThat(revoked).containsExactly("dev-1");
        assertThat(registry.isDisabled("dev-1")).isTrue();
        assertThat(registry.authenticate("dev-1", bytes(c.token()))).isEqualTo(DeviceAuth.DISABLED);
        assertThat(registry.dtlsPsk("dev-1")).isEmpty();
        assertThat(registry.device("dev-1").orElseThrow().state()).isEqualTo(KeyState.DISABLED);

        registry.enable("dev-1");
        assertThat(registry.authenticate("dev-1", bytes(c.token()))).isEqualTo(DeviceAuth.OK);
    }

    @Test
    void aDeviceNeverEnrolledCanBeDisabled() {
        registry.disable("plain-1");
        assertThat(registry.isDisabled("plain-1")).isTrue();
        assertThat(registry.authenticate("plain-1", bytes("x"))).isEqualTo(DeviceAuth.DISABLED);
        registry.enable("plain-1");
        assertThat(registry.authenticate("plain-1", bytes("x"))).isEqualTo(DeviceAuth.NOT_ENROLLED);
        assertThatThrownBy(() -> registry.enable("ghost")).hasFieldOrPropertyWithValue("reason",
                RegistryException.Reason.NOT_FOUND);
    }

    @Test
    void everythingSurvivesAReopen() {
        KeyPair key = TestKeys.p256();
        DeviceCredentials c = enroll("dev-1", key);
        registry.disable("dev-2");
        IssuedApiToken admin = registry.createApiToken("ops", Role.ADMIN);
        registry.close();

        registry = DeviceRegistry.open(dir, clock);
        assertThat(registry.authenticate("dev-1", bytes(c.token()))).isEqualTo(DeviceAuth.OK);
        assertThat(registry.keyByKid(KeyIds.of(key.getPublic()))).isPresent();
        assertThat(registry.isDisabled("dev-2")).isTrue();
        assertThat(registry.authenticateApiToken(admin.token())).map(ApiToken::role).contains(Role.ADMIN);
        assertThat(registry.hasAdminToken()).isTrue();
    }

    @Test
    void apiTokensAuthenticateUntilRevokedAndAreListedWithoutValues() {
        IssuedApiToken viewer = registry.createApiToken("dash", Role.VIEWER);
        assertThat(viewer.toString()).doesNotContain(viewer.token());
        assertThat(registry.authenticateApiToken(viewer.token())).map(ApiToken::name).contains("dash");
        assertThat(registry.authenticateApiToken(viewer.token() + "x")).isEmpty();
        assertThat(registry.apiTokens()).singleElement().satisfies(t -> {
            assertThat(t.lastUsed()).contains(clock.instant());
            assertThat(t.toString()).doesNotContain(viewer.token());
        });

        assertThat(registry.revokeApiToken(viewer.info().id())).isTrue();
        assertThat(registry.revokeApiToken(viewer.info().id())).isFalse();
        assertThat(registry.authenticateApiToken(viewer.token())).isEmpty();
        assertThat(registry.apiTokens()).singleElement().satisfies(t -> assertThat(t.active()).isFalse());
    }

    @Test
    void aTokenCreatedByAnotherProcessIsFoundOnFirstUse() {
        try (DeviceRegistry cli = DeviceRegistry.open(dir, clock)) {
            IssuedApiToken t = cli.createApiToken("cli", Role.OPERATOR);
            assertThat(registry.authenticateApiToken(t.token())).map(ApiToken::role).contains(Role.OPERATOR);
        }
    }

    @Test
    void onlySha256HashesAreStored() throws Exception {
        DeviceCredentials c = enroll("dev-1", TestKeys.p256());
        IssuedApiToken t = registry.createApiToken("x", Role.ADMIN);
        byte[] db = java.nio.file.Files.readAllBytes(dir.resolve("fieldline.db"));
        String text = new String(db, StandardCharsets.ISO_8859_1);
        for (Path wal : List.of(dir.resolve("fieldline.db-wal"))) {
            if (java.nio.file.Files.exists(wal)) {
                text += new String(java.nio.file.Files.readAllBytes(wal), StandardCharsets.ISO_8859_1);
            }
        }
        assertThat(text).doesNotContain(c.token()).doesNotContain(t.token());
    }

    @Test
    void theHashComparisonIsConstantTime() {
        byte[] a = Secrets.hash("a");
        assertThat(Secrets.sameHash(a, Secrets.hash("a"))).isTrue();
        assertThat(Secrets.sameHash(a, Secrets.hash("b"))).isFalse();
        assertThat(Secrets.sameHash(a, null)).isFalse();
        assertThat(Secrets.newToken()).hasSize(43).isNotEqualTo(Secrets.newToken());
    }

    @Test
    void rolesIncludeTheWeakerOnes() {
        assertThat(Role.ADMIN.includes(Role.OPERATOR)).isTrue();
        assertThat(Role.OPERATOR.includes(Role.VIEWER)).isTrue();
        assertThat(Role.VIEWER.includes(Role.OPERATOR)).isFalse();
        assertThat(Role.fromCode("operator")).contains(Role.OPERATOR);
        assertThat(Role.fromCode("root")).isEmpty();
    }
}

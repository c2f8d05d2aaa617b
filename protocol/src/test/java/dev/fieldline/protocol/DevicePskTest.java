package dev.fieldline.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class DevicePskTest {

    @Test
    void pskIsHmacSha256OfTheLabelUnderTheToken() throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec("tok-1".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] expected = mac.doFinal("fieldline dtls psk v1".getBytes(StandardCharsets.US_ASCII));
        assertThat(DevicePsk.derive("tok-1")).hasSize(DevicePsk.LENGTH).isEqualTo(expected);
        assertThat(DevicePsk.derive("tok-2")).isNotEqualTo(expected);
    }

    @Test
    void rejectsAnEmptyToken() {
        assertThatThrownBy(() -> DevicePsk.derive("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("deviceToken");
    }
}

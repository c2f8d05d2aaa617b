package dev.fieldline.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Device ids, MQTT topics, CoAP resource paths, content formats and format sniffing. */
class AddressingTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "0", "dev-1", "gh-7", "Node_3.kitchen", "A1-b2_c3.d4"})
    void validDeviceIds(String id) {
        assertThat(DeviceIds.isValid(id)).isTrue();
        assertThat(DeviceIds.require(id, "deviceId")).isEqualTo(id);
        assertThat(DeviceIds.baseName(id)).isEqualTo("urn:dev:fl:" + id + ":");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-dev", ".dev", "_dev", "dev+1", "dev#1", "dev/1", "dev:1", "dev 1", "d\u00e9v", "dev\n"})
    void invalidDeviceIdsNamingTheParameter(String id) {
        assertThat(DeviceIds.isValid(id)).isFalse();
        assertThatThrownBy(() -> DeviceIds.require(id, "deviceId"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("deviceId '");
    }

    @Test
    void deviceIdLengthIsOneToSixtyFour() {
        assertThat(DeviceIds.isValid("a".repeat(64))).isTrue();
        assertThat(DeviceIds.isValid("a".repeat(65))).isFalse();
        assertThat(DeviceIds.isValid(null)).isFalse();
    }

    @Test
    void topicsForEveryKind() {
        assertThat(Arrays.stream(MessageKind.values()).map(k -> Topics.topic("dev-1", k))).containsExactly(
                "fl/v1/dev-1/telemetry", "fl/v1/dev-1/event", "fl/v1/dev-1/status", "fl/v1/dev-1/cmd/result",
                "fl/v1/dev-1/cmd", "fl/v1/dev-1/ack");
        assertThat(Topics.allDevices(MessageKind.COMMAND_RESULT)).isEqualTo("fl/v1/+/cmd/result");
    }

    @ParameterizedTest
    @EnumSource(MessageKind.class)
    void topicAndResourcePathParseBackToTheAddress(MessageKind kind) {
        Topics.Address address = new Topics.Address("Node_3.kitchen", kind);

        assertThat(Topics.parse(Topics.topic(address.deviceId(), kind))).contains(address);
        String path = CoapResources.path(address.deviceId(), kind);
        assertThat(path).isEqualTo("v1/d/Node_3.kitchen/" + kind.suffix());
        assertThat(CoapResources.parse(List.of(path.split("/")))).contains(address);
        assertThat(MessageKind.fromSuffix(kind.suffix())).contains(kind);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fl/v1/dev+1/telemetry", "fl/v1/dev#/telemetry", "fl/v1/+/telemetry", "fl/v1/#",
            "fl/v1/dev:1/telemetry", "fl/v1//telemetry", "fl/v1/dev-1", "fl/v1/dev-1/", "fl/v1/dev-1/telemetry/",
            "fl/v1/dev-1/cmd/results", "fl/v1/dev-1/Telemetry", "fl/v2/dev-1/telemetry", "/fl/v1/dev-1/telemetry",
            "fl/v1/-dev/event", ""})
    void topicsOutsideTheSchemeDoNotParse(String topic) {
        assertThat(Topics.parse(topic)).isEmpty();
    }

    @Test
    void nullTopicDoesNotParse() {
        assertThat(Topics.parse(null)).isEmpty();
    }

    @Test
    void resourcePathsOutsideTheSchemeDoNotParse() {
        assertThat(CoapResources.parse(List.of("v1", "d", "dev-1"))).isEmpty();
        assertThat(CoapResources.parse(List.of("v1", "x", "dev-1", "telemetry"))).isEmpty();
        assertThat(CoapResources.parse(List.of("v2", "d", "dev-1", "telemetry"))).isEmpty();
        assertThat(CoapResources.parse(List.of("v1", "d", "dev:1", "telemetry"))).isEmpty();
        assertThat(CoapResources.parse(List.of("v1", "d", "dev/1", "telemetry"))).isEmpty();
        assertThat(CoapResources.parse(List.of("v1", "d", "dev-1", "cmd", "result", "x"))).isEmpty();
        assertThat(CoapResources.parse(List.of("v1", "d", "dev-1", "cmd/result")))
                .contains(new Topics.Address("dev-1", MessageKind.COMMAND_RESULT));
    }

    @Test
    void addressingRefusesInvalidIdsNamingTheParameter() {
        assertThatThrownBy(() -> Topics.topic("a/b", MessageKind.TELEMETRY)).hasMessageStartingWith("deviceId ");
        assertThatThrownBy(() -> CoapResources.path("a+b", MessageKind.TELEMETRY)).hasMessageStartingWith("deviceId ");
    }

    @Test
    void directionOfEachKind() {
        assertThat(Arrays.stream(MessageKind.values()).filter(MessageKind::isUplink))
                .containsExactly(MessageKind.TELEMETRY, MessageKind.EVENT, MessageKind.STATUS, MessageKind.COMMAND_RESULT);
    }

    @Test
    void contentFormatsAndMediaTypes() {
        assertThat(PayloadFormat.CBOR.coapContentFormat(MessageKind.TELEMETRY)).isEqualTo(112);
        assertThat(PayloadFormat.JSON.coapContentFormat(MessageKind.TELEMETRY)).isEqualTo(110);
        assertThat(PayloadFormat.CBOR.mediaType(MessageKind.TELEMETRY)).isEqualTo("application/senml+cbor");
        assertThat(PayloadFormat.JSON.mediaType(MessageKind.TELEMETRY)).isEqualTo("application/senml+json");
        for (MessageKind kind : List.of(MessageKind.EVENT, MessageKind.STATUS, MessageKind.COMMAND, MessageKind.COMMAND_RESULT)) {
            assertThat(PayloadFormat.CBOR.coapContentFormat(kind)).isEqualTo(60);
            assertThat(PayloadFormat.JSON.coapContentFormat(kind)).isEqualTo(50);
            assertThat(PayloadFormat.CBOR.mediaType(kind)).isEqualTo("application/cbor");
            assertThat(PayloadFormat.JSON.mediaType(kind)).isEqualTo("application/json");
        }
    }

    @ParameterizedTest
    @EnumSource(MessageKind.class)
    void eachFormatsOwnContentFormatAndMediaTypeMapBack(MessageKind kind) {
        for (PayloadFormat f : PayloadFormat.values()) {
            assertThat(PayloadFormat.fromCoapContentFormat(kind, f.coapContentFormat(kind))).contains(f);
            assertThat(PayloadFormat.fromMediaType(kind, f.mediaType(kind))).contains(f);
        }
    }

    @Test
    void telemetryAlsoAcceptsPlainCborAndJsonButOtherKindsNotSenml() {
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.TELEMETRY, 60)).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.TELEMETRY, 50)).contains(PayloadFormat.JSON);
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.EVENT, 112)).isEmpty();
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.EVENT, 110)).isEmpty();
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.TELEMETRY, 0)).isEmpty(); // text/plain
        assertThat(PayloadFormat.fromCoapContentFormat(MessageKind.TELEMETRY, 42)).isEmpty(); // octet-stream
        assertThat(PayloadFormat.fromMediaType(MessageKind.STATUS, "application/senml+json")).isEmpty();
        assertThat(PayloadFormat.fromMediaType(MessageKind.TELEMETRY, "application/json")).contains(PayloadFormat.JSON);
    }

    @Test
    void mediaTypeParametersAndCaseAreIgnored() {
        assertThat(PayloadFormat.fromMediaType(MessageKind.EVENT, "Application/JSON; charset=utf-8")).contains(PayloadFormat.JSON);
        assertThat(PayloadFormat.fromMediaType(MessageKind.TELEMETRY, " application/senml+cbor ")).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.fromMediaType(MessageKind.EVENT, "text/plain")).isEmpty();
        assertThat(PayloadFormat.fromMediaType(MessageKind.EVENT, "")).isEmpty();
        assertThat(PayloadFormat.fromMediaType(MessageKind.EVENT, null)).isEmpty();
    }

    @Test
    void sniffingTellsJsonFromCborByTheFirstSignificantByte() {
        assertThat(PayloadFormat.sniff("[{\"n\":\"a\",\"v\":1}]".getBytes(UTF_8))).contains(PayloadFormat.JSON);
        assertThat(PayloadFormat.sniff(" \r\n\t{\"dev\":\"x\"}".getBytes(UTF_8))).contains(PayloadFormat.JSON);
        assertThat(PayloadFormat.sniff(Hex.bytes("81 a1 00 61 61"))).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.sniff(Hex.bytes("9f ff"))).contains(PayloadFormat.CBOR); // indefinite array
        assertThat(PayloadFormat.sniff(Hex.bytes("bf ff"))).contains(PayloadFormat.CBOR); // indefinite map
        assertThat(PayloadFormat.sniff(Hex.bytes("a0"))).contains(PayloadFormat.CBOR);
        assertThat(PayloadFormat.sniff(Hex.bytes("7f"))).isEmpty(); // a CBOR text string is neither
        assertThat(PayloadFormat.sniff(Hex.bytes("c0"))).isEmpty(); // a tag
        assertThat(PayloadFormat.sniff("hello".getBytes(UTF_8))).isEmpty();
        assertThat(PayloadFormat.sniff("   ".getBytes(UTF_8))).isEmpty();
        assertThat(PayloadFormat.sniff(new byte[0])).isEmpty();
        assertThat(PayloadFormat.sniff(Hex.bytes("efbbbf 5b5d"))).isEmpty(); // UTF-8 byte order mark
    }

    @Test
    void everyEncodedMessageSniffsAsItsFormat() {
        SenmlCodec senml = new SenmlCodec();
        MessageCodec messages = new MessageCodec();
        for (PayloadFormat f : PayloadFormat.values()) {
            for (byte[] b : List.of(senml.encode(Samples.TELEMETRY, f), messages.encode(Samples.EVENT, f),
                    messages.encode(Samples.STATUS, f), messages.encode(Samples.COMMAND, f), messages.encode(Samples.RESULT, f))) {
                assertThat(PayloadFormat.sniff(b)).isEqualTo(Optional.of(f));
            }
        }
    }
}

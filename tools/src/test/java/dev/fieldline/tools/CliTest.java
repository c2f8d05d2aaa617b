package dev.fieldline.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as a user meets it: options, errors, the demo's output and what it serves. */
class CliTest {
    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    /** Runs the CLI with standard output and error captured (shared by the CLI tests). */
    static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Fieldline.execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("gateway", "agent", "demo", "bench");
    }

    @Test
    void gatewayHelpShowsTheScriptedOptions() {
        Run r = run("gateway", "--help");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("--data-dir", "--http-port", "--mqtt-port", "--coap-port");
    }

    @Test
    void agentNeedsAnUplinkAndSaysWhich() {
        Run r = run("agent", "--board", "sim", "--device-id", "d1", "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--mqtt tcp://HOST:PORT").contains("--coap coap://HOST:PORT");
    }

    @Test
    void agentRefusesBothUplinks() {
        Run r = run("agent", "--device-id", "d1", "--mqtt", "tcp://127.0.0.1:1", "--coap", "coap://127.0.0.1:1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("mutually exclusive");
    }

    @Test
    void agentRefusesAnUnknownBoardNamingTheStockOnes() {
        Run r = run("agent", "--board", "no-such-board", "--device-id", "d1", "--mqtt", "tcp://127.0.0.1:1",
                "--data-dir", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("no-such-board").contains("sim");
    }

    @Test
    void agentDescribesItsConfiguration() {
        Run r = run("agent", "--describe-config");
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("device-id", "uplink", "sampling-interval");
    }

    @Test
    @Tag("loopback")
    void aTakenPortIsNamedWithTheOptionToChangeIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Run r = run("demo", "--data-dir", dir.toString(), "--http-port", "0", "--coap-port", "0", "--coaps-port", "-1", "--mqtts-port", "-1",
                    "--mqtt-port", String.valueOf(taken.getLocalPort()), "--duration", "1s");
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).contains("MQTT port " + taken.getLocalPort()).contains("--mqtt-port");
        }
    }

    @Test
    @Tag("loopback")
    void demoServesDataFromMqttAndCoapDevicesAndPrintsWhereToLook() throws Exception {
        CompletableFuture<Run> demo = CompletableFuture.supplyAsync(() -> run("demo", "--data-dir", dir.toString(),
                "--http-port", "0", "--mqtt-port", "0", "--coap-port", "0", "--coaps-port", "-1", "--mqtts-port", "-1", "--interval", "200ms", "--duration", "6s"));
        Run r = demo.get(60, TimeUnit.SECONDS);
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("demo-mqtt-1", "demo-coap-1", "curl", "/api/v1/data");
        Matcher m = Pattern.compile("HTTP API\\s+(http://\\S+)/api/v1").matcher(r.out());
        assertThat(m.find()).as(r.out()).isTrue();
        // the demo has stopped; its database holds what the devices sent over both transports
        try (var gw = dev.fieldline.gateway.Gateway.start(dev.fieldline.gateway.GatewayConfig.defaults(dir)
                .withBindHost("127.0.0.1").withHttpPort(0).withMqttPort(-1).withCoapPort(-1).withCoapsPort(-1).withMqttsPort(-1))) {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            for (String device : new String[] {"demo-mqtt-1", "demo-coap-1", "demo-mqtt-2", "demo-coap-2"}) {
                URI uri = URI.create("http://127.0.0.1:" + gw.httpAddress().getPort()
                        + "/api/v1/data?device=" + device + "&metric=temperature&limit=1000");
                HttpResponse<String> resp = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(resp.body()).as(device).contains("\"metric\":\"temperature\"");
            }
            // the demo's rules file, written on first start, is the gateway's rules
            HttpResponse<String> rules = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + gw.httpAddress().getPort() + "/api/v1/rules")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(rules.body()).contains("demo-temperature-anomaly", "demo-temperature-rising");
            assertThat(r.out()).contains("/api/v1/streams", "/api/v1/insights");
        }
    }
}

package dev.fieldline.boards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.testsupport.Peers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs the ESP32 bridge's own unit tests ({@code src/test/python}, Python's unittest) under Debian's
 * python3 with the fake {@code machine} module: the protocol logic, the shared frame vectors
 * ({@code src/main/micropython/frame-vectors.json}, which the Java side checks too), framing errors,
 * GPIO, ADC, PWM, I2C and pushed readings.
 */
@Tag("interop")
class Esp32BridgeProgramTest {

    @Test
    void bridgeUnitTestsPassUnderPython3() throws IOException, InterruptedException {
        Path python = Peers.require("python3", "python3");
        Path micropython = Path.of("src/main/micropython").toAbsolutePath();
        ProcessBuilder pb = new ProcessBuilder(python.toString(), "-m", "unittest", "discover", "-v",
                "-s", Path.of("src/test/python").toAbsolutePath().toString())
                .redirectErrorStream(true);
        pb.environment().put("PYTHONPATH", micropython + ":" + micropython.resolve("sim"));
        pb.environment().put("PYTHONDONTWRITEBYTECODE", "1");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("python3 finished").isTrue();
        System.out.println(out);
        assertThat(p.exitValue()).as("unittest exit status; output:\n%s", out).isZero();
        Matcher ran = Pattern.compile("Ran (\\d+) tests").matcher(out);
        assertThat(ran.find()).as("unittest summary in:\n%s", out).isTrue();
        assertThat(Integer.parseInt(ran.group(1))).isGreaterThanOrEqualTo(30);
    }
}

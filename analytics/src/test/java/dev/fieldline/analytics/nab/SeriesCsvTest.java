package dev.fieldline.analytics.nab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SeriesCsvTest {
    static Series read(String text) {
        return SeriesCsv.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), SeriesCsv.Limits.DEFAULT);
    }

    static void refused(String text, NabException.Reason reason, long line, String... message) {
        assertThatThrownBy(() -> read(text)).isInstanceOfSatisfying(NabException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.getMessage()).startsWith("line " + line + ": ").contains(message);
        });
    }

    @Test
    void readsNabRowsKeepingTheTimestampsAsWritten() {
        Series s = read("timestamp,value\n2014-07-01 00:00:00,10844\r\n2014-07-01 00:30:00,-1.5e3\n2014-07-01 00:30:00,.25");
        assertThat(s.timestamps()).containsExactly("2014-07-01 00:00:00", "2014-07-01 00:30:00", "2014-07-01 00:30:00");
        assertThat(s.values()).containsExactly(10844, -1500, 0.25);
        assertThat(s.timesMillis()[0]).isEqualTo(1_404_172_800_000L);
        assertThat(s.timesMillis()[1] - s.timesMillis()[0]).isEqualTo(30 * 60_000L);
    }

    @Test
    void aByteOrderMarkIsSkipped() {
        assertThat(read("\uFEFFtimestamp,value\n2014-07-01 00:00:00,1\n").size()).isEqualTo(1);
    }

    @Test
    void rowsStayInFileOrderAndDetectorsGetATimeThatNeverGoesBack() {
        Series s = read("timestamp,value\n2014-07-01 01:00:00,1\n2014-07-01 00:00:00,2\n");
        assertThat(s.values()).containsExactly(1, 2);
        assertThat(SeriesCsv.monotonic(s.timesMillis()[0], s.timesMillis()[1])).isEqualTo(s.timesMillis()[0]);
    }

    @Test
    void badInputIsRefusedNamingTheLineAndWhatIsValid() {
        refused("", NabException.Reason.EMPTY, 1, "empty input");
        refused("time,val\n", NabException.Reason.HEADER, 1, "expected the header 'timestamp,value'", "found 'time,val'");
        refused("timestamp,value\n", NabException.Reason.EMPTY, 1, "no rows");
        refused("timestamp,value\n2014-07-01 00:00:00,1\n\n2014-07-01 00:00:00,1\n", NabException.Reason.FIELDS, 3, "blank line");
        refused("timestamp,value\n2014-07-01 00:00:00,1,2\n", NabException.Reason.FIELDS, 2, "two fields");
        refused("timestamp,value\n2014-07-01T00:00:00,1\n", NabException.Reason.TIMESTAMP, 2, "yyyy-MM-dd HH:mm:ss");
        refused("timestamp,value\n2014-02-30 00:00:00,1\n", NabException.Reason.TIMESTAMP, 2, "not a valid date");
        refused("timestamp,value\n2014-07-01 00:00:00,\n", NabException.Reason.VALUE, 2, "blank value");
        refused("timestamp,value\n2014-07-01 00:00:00, 1\n", NabException.Reason.VALUE, 2, "not a decimal number");
        refused("timestamp,value\n2014-07-01 00:00:00,NaN\n", NabException.Reason.VALUE, 2, "not a decimal number");
        refused("timestamp,value\n2014-07-01 00:00:00,Infinity\n", NabException.Reason.VALUE, 2, "not a decimal number");
        refused("timestamp,value\n2014-07-01 00:00:00,1e999\n", NabException.Reason.VALUE, 2, "not finite");
        refused("timestamp,value\n2014-07-01 00:00:00,0x10\n", NabException.Reason.VALUE, 2, "not a decimal number");
    }

    @Test
    void limitsBoundRowsAndLineLength() {
        SeriesCsv.Limits small = new SeriesCsv.Limits(2, 30);
        String three = "timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:00:01,1\n2014-07-01 00:00:02,1\n";
        assertThatThrownBy(() -> SeriesCsv.read(new ByteArrayInputStream(three.getBytes(StandardCharsets.UTF_8)), small))
                .isInstanceOfSatisfying(NabException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NabException.Reason.TOO_MANY_ROWS);
                    assertThat(e.line()).isEqualTo(4);
                });
        String longLine = "timestamp,value\n2014-07-01 00:00:00," + "1".repeat(1_000_000) + "\n";
        assertThatThrownBy(() -> SeriesCsv.read(new ByteArrayInputStream(longLine.getBytes(StandardCharsets.UTF_8)), small))
                .isInstanceOfSatisfying(NabException.class, e -> {
                    assertThat(e.reason()).isEqualTo(NabException.Reason.LINE_TOO_LONG);
                    assertThat(e.line()).isEqualTo(2);
                });
    }

    @Test
    void textThatIsNotUtf8IsRefused() {
        byte[] b = "timestamp,value\n2014-07-01 00:00:00,1\n".getBytes(StandardCharsets.UTF_8);
        b[20] = (byte) 0xC3;
        assertThatThrownBy(() -> SeriesCsv.read(new ByteArrayInputStream(b), SeriesCsv.Limits.DEFAULT))
                .isInstanceOfSatisfying(NabException.class, e -> assertThat(e.reason()).isEqualTo(NabException.Reason.IO))
                .hasMessageContaining("not UTF-8");
    }
}

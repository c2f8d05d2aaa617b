package dev.fieldline.analytics.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fieldline.analytics.StreamKey;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KeyTableTest {
    @Test
    void agreesWithAHashMapUnderRandomAddsAndRemoves() {
        EngineConfig config = EngineConfig.builder().detectors(List.of()).historySize(0).build();
        KeyTable table = new KeyTable();
        Map<StreamKey, KeyState> reference = new HashMap<>();
        Random r = new Random(9);
        for (int step = 0; step < 50_000; step++) {
            StreamKey k = new StreamKey("d" + r.nextInt(300), "m" + r.nextInt(5));
            int h = KeyTable.hash(k.deviceId(), k.metric());
            KeyState found = table.get(k.deviceId(), k.metric(), h);
            assertThat(found).isSameAs(reference.get(k));
            if (found == null) {
                KeyState s = new KeyState(k, h, config, StreamListener.NONE);
                table.add(s);
                reference.put(k, s);
            } else if (r.nextBoolean()) {
                table.remove(found);
                reference.remove(k);
            }
            assertThat(table.size()).isEqualTo(reference.size());
        }
        for (Map.Entry<StreamKey, KeyState> e : reference.entrySet()) {
            StreamKey k = e.getKey();
            assertThat(table.get(k.deviceId(), k.metric(), KeyTable.hash(k.deviceId(), k.metric()))).isSameAs(e.getValue());
        }
    }
}

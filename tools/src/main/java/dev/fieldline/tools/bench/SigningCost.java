package dev.fieldline.tools.bench;

import dev.fieldline.protocol.KeyIds;
import dev.fieldline.protocol.cose.CoseSign1;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * The device-side CPU cost of signing, on one thread (ThreadMXBean CPU time, so other threads do not
 * count): encoding alone, ES256 signing of an encoded message alone, and encode + sign as the agent
 * does per message; plus the gateway's verification for comparison.
 */
final class SigningCost {
    private final Payloads plain;
    private final KeyPair key;
    private final int messages;

    SigningCost(Payloads plain, KeyPair key, int messages) {
        if (messages < 1) {
            throw new IllegalArgumentException("messages must be >= 1, was " + messages);
        }
        this.plain = plain;
        this.key = key;
        this.messages = messages;
    }

    record Cost(String name, double cpuMicros, double wallMicros) {
        String row() {
            return String.format(Locale.ROOT, "  %-34s %10.1f %10.1f", name, cpuMicros, wallMicros);
        }
    }

    void print() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        if (!mx.isCurrentThreadCpuTimeSupported()) {
            System.out.println("signing cost: skipped: this JVM cannot measure thread CPU time");
            return;
        }
        CoseSign1 cose = new CoseSign1();
        byte[] kid = KeyIds.of(key.getPublic());
        byte[][] packs = new byte[messages][];
        byte[][] signed = new byte[messages][];
        for (int i = 0; i < messages; i++) {
            packs[i] = plain.payload(0, 1, i + 1);
        }
        Payloads signing = plain.signedWith(new KeyPair[] {key});
        // warm-up, not measured: each operation runs as often as it will be measured
        measure(mx, "", i -> plain.payload(0, 2, i + 1));
        measure(mx, "", i -> signed[(int) i] = cose.sign(packs[(int) i], kid, key.getPrivate()));
        measure(mx, "", i -> cose.verify(cose.decode(signed[(int) i]), key.getPublic()));

        System.out.printf(Locale.ROOT, "device-side cost per message, %d messages on one thread (µs):%n", messages);
        System.out.printf(Locale.ROOT, "  %-34s %10s %10s%n", "", "cpu", "wall");
        Cost encode = measure(mx, "encode (SenML CBOR)", i -> plain.payload(0, 3, i + 1));
        Cost sign = measure(mx, "sign (ES256 COSE_Sign1) alone", i -> cose.sign(packs[(int) i], kid, key.getPrivate()));
        Cost both = measure(mx, "encode + sign", i -> signing.payload(0, 4, i + 1));
        Cost verify = measure(mx, "gateway: decode + verify", i -> cose.verify(cose.decode(signed[(int) i]), key.getPublic()));
        for (Cost c : new Cost[] {encode, sign, both, verify}) {
            System.out.println(c.row());
        }
        System.out.printf(Locale.ROOT, "  envelope: %d bytes plain, %d bytes signed, +%d bytes per message%n",
                packs[0].length, signed[0].length, signed[0].length - packs[0].length);
    }

    private Cost measure(ThreadMXBean mx, String name, LongConsumer op) {
        long cpu = mx.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        for (long i = 0; i < messages; i++) {
            op.accept(i);
        }
        long cpuNanos = mx.getCurrentThreadCpuTime() - cpu;
        long wallNanos = System.nanoTime() - wall;
        return new Cost(name, cpuNanos / 1e3 / messages, wallNanos / 1e3 / messages);
    }
}

package dev.fieldline.agent.hal.esp32;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A link with a script at the far end: every frame the host writes is recorded byte for byte and
 * handed to the responder, whose answer (raw bytes, or null for silence) is what the host reads.
 */
final class ScriptedLink implements SerialLink {
    private final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    private final List<byte[]> written = new ArrayList<>();
    private volatile Function<Packet, byte[]> responder = p -> null;
    private volatile boolean closed;
    private byte[] rest;

    void respond(Function<Packet, byte[]> r) {
        responder = r;
    }

    /** Puts bytes on the line towards the host, unasked. */
    void inject(byte[] bytes) {
        incoming.add(bytes.clone());
    }

    /** Everything the host wrote, one entry per write. */
    synchronized List<byte[]> written() {
        return new ArrayList<>(written);
    }

    @Override
    public void open() {
        closed = false;
    }

    @Override
    public int read(byte[] buffer) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        byte[] chunk = rest;
        rest = null;
        if (chunk == null) {
            try {
                chunk = incoming.poll(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        if (chunk == null) {
            return 0;
        }
        int n = Math.min(chunk.length, buffer.length);
        System.arraycopy(chunk, 0, buffer, 0, n);
        if (n < chunk.length) {
            rest = Arrays.copyOfRange(chunk, n, chunk.length);
        }
        return n;
    }

    @Override
    public void write(byte[] data) throws IOException {
        if (closed) {
            throw new IOException("closed");
        }
        synchronized (this) {
            written.add(data.clone());
        }
        FrameVectorsTest.Decoded d = FrameVectorsTest.decode(data);
        for (Packet p : d.packets()) {
            byte[] answer = responder.apply(p);
            if (answer != null) {
                incoming.add(answer);
            }
        }
    }

    @Override
    public boolean resetTarget() {
        return false;
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String name() {
        return "scripted";
    }
}

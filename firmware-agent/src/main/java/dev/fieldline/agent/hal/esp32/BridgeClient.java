package dev.fieldline.agent.hal.esp32;

import dev.fieldline.agent.hal.HalException;
import dev.fieldline.agent.hal.HalException.Reason;
import dev.fieldline.agent.hal.esp32.Esp32BridgeException.BridgeError;
import dev.fieldline.agent.uplink.ReconnectPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host end of the bridge protocol: opens the link, shakes hands, sends requests and matches
 * replies by id, retransmits after a timeout, and keeps the link synchronised. A reset of the ESP32
 * (a BOOT frame with a new boot id, or a NO_SESSION error), a link that stops answering and a port
 * that vanishes all lead back through the handshake, after which the owner replays its configuration
 * ({@link Owner#synced}).
 *
 * <p>Threads: a reader per open port ({@code fl-esp32-rx-PORT}) decodes frames, completes requests
 * and hands readings to the owner; one link thread ({@code fl-esp32-PORT}) opens the port, shakes
 * hands, replays, reconnects with backoff and sends keep-alive PINGs. Requests come from any thread,
 * one at a time.
 */
final class BridgeClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BridgeClient.class);

    /** What the client tells the board. */
    interface Owner {
        /**
         * The link is (again) synchronised with a session on the ESP32: replay pins, buses and the
         * subscription with {@link #exchange}. Runs on the link thread; a HalException fails the
         * handshake, which is then tried again.
         */
        void synced(BridgeInfo info, long bootId);

        /** A READINGS frame, on the reader thread. */
        void readings(Packet readings, Instant receivedAt);
    }

    private enum State {
        CONNECTING, SYNCED, CLOSED
    }

    /** Where the link stands, and for a link that is not synchronised, why. */
    private record Status(State state, Reason reason, String detail) {
    }

    private final Esp32BridgeConfig config;
    private final SerialLink link;
    private final Owner owner;
    private final ScheduledExecutorService linkThread;
    private final FrameDecoder decoder = new FrameDecoder();
    private final ReentrantLock requestLock = new ReentrantLock();
    private final AtomicBoolean resyncQueued = new AtomicBoolean();
    private final Object syncLock = new Object();
    private volatile Thread linkThreadRef;

    private volatile Status status = new Status(State.CONNECTING, Reason.ABSENT, "not connected yet");
    private volatile CompletableFuture<Void> synced = new CompletableFuture<>();
    private volatile boolean linkOpen;
    /** Counts port openings; a reader of an earlier opening must not touch the current one. */
    private volatile int generation;
    private volatile Thread reader;
    private ScheduledFuture<?> retry;
    private volatile Pending pending;
    private volatile BridgeInfo info;
    private volatile long bootId = -1;
    private volatile long lastSentNanos;
    private volatile int lastPushSeq = -1;
    private int nextId;
    /** Waits between attempts to open a vanished port again: doubling, capped, no jitter. */
    private final ReconnectPolicy reopen;
    /** Failed attempts since the link last came up. */
    private int reopenAttempts;
    private boolean everOpened;

    private final AtomicLong framesReceived = new AtomicLong();
    private final AtomicLong crcErrors = new AtomicLong();
    private final AtomicLong framingErrors = new AtomicLong();
    private final AtomicLong oversizeFrames = new AtomicLong();
    private final AtomicLong strayReplies = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retransmissions = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong errorReplies = new AtomicLong();
    private final AtomicLong syncs = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong pushesMissed = new AtomicLong();

    /** A request waiting for its reply. */
    private static final class Pending {
        final int id;
        final CompletableFuture<Packet> reply = new CompletableFuture<>();

        Pending(int id) {
            this.id = id;
        }
    }

    /**
     * @param firstRequestId the first request id, 1..65535, or 0 for a random one (so that a restarted
     *     host does not repeat the ids the ESP32's reply cache remembers)
     */
    BridgeClient(Esp32BridgeConfig config, SerialLink link, int firstRequestId, Owner owner) {
        if (firstRequestId < 0 || firstRequestId > 0xFFFF) {
            throw new IllegalArgumentException("firstRequestId must be 0..65535, was " + firstRequestId);
        }
        this.nextId = firstRequestId == 0 ? ThreadLocalRandom.current().nextInt(1, 0x10000) : firstRequestId;
        this.config = config;
        this.link = link;
        this.owner = owner;
        this.reopen = new ReconnectPolicy(config.reconnectBackoff(), config.maxReconnectBackoff(), 0);
        String name = threadName(link.name());
        this.linkThread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fl-esp32-" + name);
            t.setDaemon(true);
            linkThreadRef = t;
            return t;
        });
    }

    /**
     * Opens the port and waits for the first handshake.
     *
     * @throws HalException ABSENT when the port cannot be opened, TIMEOUT or GARBAGE when the ESP32
     *     does not answer the handshake in {@link Esp32BridgeConfig#startTimeout()}
     */
    void start() {
        linkThread.execute(this::connect);
        long keepAlive = config.keepAlive().toMillis();
        linkThread.scheduleWithFixedDelay(this::keepAlive, keepAlive, keepAlive / 4 + 1, TimeUnit.MILLISECONDS);
        try {
            synced.get(config.startTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            Status s = status;
            throw new HalException(s.reason(), "no handshake with the ESP32 bridge on " + link.name() + " within "
                    + config.startTimeout().toMillis() + " ms: " + s.detail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(Reason.IO, "interrupted while starting the ESP32 bridge on " + link.name(), e);
        }
    }

    BridgeInfo info() {
        return info;
    }

    long bootId() {
        return bootId;
    }

    boolean isSynced() {
        return status.state() == State.SYNCED;
    }

    BridgeStats stats() {
        return new BridgeStats(framesReceived.get(), crcErrors.get(), framingErrors.get(), oversizeFrames.get(),
                strayReplies.get(), requests.get(), retransmissions.get(), timeouts.get(), errorReplies.get(),
                syncs.get(), reconnects.get(), pushes.get(), pushesMissed.get());
    }

    // ---- requests ----

    /**
     * Sends a request on behalf of the board and returns the reply. Waits up to one request timeout
     * for a link being re-synchronised; when the ESP32 turns out to have lost its session (it was
     * reset), waits for the re-synchronisation and sends the request once more.
     */
    Packet call(int kind, byte[] payload) {
        awaitSynced(config.requestTimeout());
        try {
            return exchange(kind, payload);
        } catch (Esp32BridgeException e) {
            if (e.error() != BridgeError.NO_SESSION) {
                throw e;
            }
            awaitSynced(config.requestBudget().multipliedBy(2));
            return exchange(kind, payload);
        }
    }

    /**
     * One request and its reply, with retransmissions; also used by the handshake and the owner's
     * replay on the link thread, which do not wait for synchronisation.
     */
    Packet exchange(int kind, byte[] payload) {
        if (status.state() == State.CLOSED) {
            throw new HalException(Reason.ABSENT, "the ESP32 bridge on " + link.name() + " is closed");
        }
        boolean locked;
        try {
            locked = requestLock.tryLock(config.requestBudget().toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(Reason.IO, "interrupted waiting to send " + BridgeProtocol.name(kind), e);
        }
        if (!locked) {
            throw new HalException(Reason.TIMEOUT, "the ESP32 bridge on " + link.name()
                    + " is busy: another request has not finished");
        }
        try {
            int id = nextId();
            byte[] wire = new Packet(kind, id, payload).toWire();
            Pending p = new Pending(id);
            pending = p;
            long badBefore = badFrames();
            requests.incrementAndGet();
            for (int attempt = 0; attempt <= config.retries(); attempt++) {
                if (attempt > 0) {
                    retransmissions.incrementAndGet();
                    log.debug("{}: no reply to {} #{}, sending it again", link.name(), BridgeProtocol.name(kind), id);
                }
                send(wire);
                Packet reply = await(p, kind);
                if (reply != null) {
                    return check(kind, reply);
                }
            }
            timeouts.incrementAndGet();
            boolean garbled = badFrames() > badBefore;
            String what = BridgeProtocol.name(kind) + " #" + id + " to the ESP32 bridge on " + link.name();
            HalException e = garbled
                    ? new HalException(Reason.GARBAGE, "only damaged frames in answer to " + what + " ("
                            + (config.retries() + 1) + " attempts of " + config.requestTimeout().toMillis() + " ms)")
                    : new HalException(Reason.TIMEOUT, "no answer to " + what + " in " + (config.retries() + 1)
                            + " attempts of " + config.requestTimeout().toMillis() + " ms");
            if (Thread.currentThread() != linkThreadRef) {
                requestResync(e.reason(), e.getMessage());
            }
            throw e;
        } finally {
            pending = null;
            requestLock.unlock();
        }
    }

    private Packet await(Pending p, int kind) {
        try {
            return p.reply.get(config.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HalException h) {
                throw new HalException(h.reason(), h.getMessage(), h);
            }
            throw new HalException(Reason.IO, "failed waiting for " + BridgeProtocol.name(kind), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(Reason.IO, "interrupted waiting for " + BridgeProtocol.name(kind), e);
        }
    }

    private Packet check(int kind, Packet reply) {
        if (reply.kind() == (kind | BridgeProtocol.REPLY)) {
            return reply;
        }
        if (reply.kind() == BridgeProtocol.ERROR && reply.length() >= 2) {
            errorReplies.incrementAndGet();
            BridgeError error = BridgeError.of(reply.u8(1));
            String text = new String(reply.payload(), 2, reply.length() - 2, StandardCharsets.US_ASCII);
            if (error == BridgeError.NO_SESSION) {
                requestResync(Reason.ABSENT, "the ESP32 lost its session (it was reset)");
            }
            throw new Esp32BridgeException(error, "ESP32 bridge on " + link.name() + " refused "
                    + BridgeProtocol.name(kind) + ": " + error + ": " + text);
        }
        throw new HalException(Reason.GARBAGE, "the ESP32 bridge on " + link.name() + " answered "
                + BridgeProtocol.name(kind) + " with " + reply);
    }

    private void send(byte[] wire) {
        int gen = generation;
        try {
            link.write(wire);
            lastSentNanos = System.nanoTime();
        } catch (IOException e) {
            linkLost(gen, e);
            throw new HalException(Reason.ABSENT, e.getMessage(), e);
        }
    }

    private int nextId() {
        int id = nextId;
        nextId = id == 0xFFFF ? 1 : id + 1;
        return id;
    }

    private long badFrames() {
        return crcErrors.get() + framingErrors.get() + oversizeFrames.get();
    }

    // ---- synchronisation ----

    private void awaitSynced(Duration wait) {
        CompletableFuture<Void> f = synced;
        if (f.isDone() && status.state() == State.SYNCED) {
            return;
        }
        try {
            f.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            Status s = status;
            throw new HalException(s.reason(), "the ESP32 bridge on " + link.name() + " is not available: " + s.detail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HalException(Reason.IO, "interrupted waiting for the ESP32 bridge on " + link.name(), e);
        }
        if (status.state() == State.CLOSED) {
            throw new HalException(Reason.ABSENT, "the ESP32 bridge on " + link.name() + " is closed");
        }
    }

    private void desync(Reason reason, String detail) {
        synchronized (syncLock) {
            if (status.state() == State.CLOSED) {
                return;
            }
            status = new Status(State.CONNECTING, reason, detail);
            if (synced.isDone()) {
                synced = new CompletableFuture<>();
            }
        }
    }

    /** Queues a handshake (and replay) on the link thread; further requests until it runs coalesce. */
    void requestResync(Reason reason, String why) {
        if (status.state() == State.CLOSED) {
            return;
        }
        desync(reason, why);
        if (resyncQueued.compareAndSet(false, true)) {
            log.debug("{}: re-synchronising: {}", link.name(), why);
            try {
                linkThread.execute(() -> {
                    resyncQueued.set(false);
                    connect();
                });
            } catch (RejectedExecutionException closed) {
                // closed meanwhile
            }
        }
    }

    /** Opens the port if needed, then shakes hands and lets the owner replay; on failure, tries again later. */
    private void connect() {
        if (status.state() == State.CLOSED || status.state() == State.SYNCED && linkOpen) {
            return;
        }
        if (!linkOpen) {
            joinReader();
            try {
                link.open();
            } catch (IOException e) {
                desync(Reason.ABSENT, e.getMessage());
                retryLater(e.getMessage());
                return;
            }
            generation++;
            linkOpen = true;
            desync(Reason.TIMEOUT, "the port is open, but the ESP32 has not answered the handshake yet");
            if (everOpened) {
                reconnects.incrementAndGet();
            }
            everOpened = true;
            startReader();
            if (config.resetOnOpen()) {
                if (link.resetTarget()) {
                    log.info("ESP32 bridge on {}: reset through RTS/DTR", link.name());
                } else {
                    log.info("ESP32 bridge on {}: the port has no DTR/RTS lines (a pty?): reset skipped", link.name());
                }
            }
            try {
                link.write(new byte[] {0}); // ends whatever partial frame the ESP32 holds
            } catch (IOException e) {
                linkLost(generation, e);
                return;
            }
        }
        try {
            handshake();
            reopenAttempts = 0;
        } catch (HalException e) {
            desync(e.reason(), e.getMessage());
            if (linkOpen) {
                retryLater(e.getMessage());
            }
        }
    }

    private void retryLater(String why) {
        if (status.state() == State.CLOSED || retry != null && retry.getDelay(TimeUnit.NANOSECONDS) > 0) {
            return; // one retry at a time
        }
        Duration wait = reopen.delay(++reopenAttempts, () -> 0.5);
        log.debug("{}: {}; trying again in {} ms", link.name(), why, wait.toMillis());
        try {
            retry = linkThread.schedule(this::connect, wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    private void handshake() {
        Packet hello = exchange(BridgeProtocol.HELLO, new byte[] {BridgeProtocol.VERSION, BridgeProtocol.VERSION});
        if (hello.length() != 9) {
            throw new HalException(Reason.GARBAGE, "HELLO reply of " + hello.length() + " bytes, expected 9");
        }
        if (hello.u8(0) != BridgeProtocol.VERSION) {
            throw new HalException(Reason.UNSUPPORTED, "the ESP32 bridge chose protocol version " + hello.u8(0)
                    + "; this agent speaks " + BridgeProtocol.VERSION);
        }
        long newBoot = hello.u32(1);
        BridgeInfo newInfo = BridgeInfo.parse(exchange(BridgeProtocol.INFO, new byte[0]));
        BridgeInfo oldInfo = info;
        long oldBoot = bootId;
        info = newInfo;
        bootId = newBoot;
        lastPushSeq = -1;
        owner.synced(newInfo, newBoot);
        synchronized (syncLock) {
            if (status.state() == State.CLOSED) {
                return;
            }
            status = new Status(State.SYNCED, Reason.ABSENT, "synchronised");
            synced.complete(null);
        }
        syncs.incrementAndGet();
        if (oldInfo == null) {
            log.info("ESP32 bridge on {}: connected to {} ({}), boot {}", link.name(), newInfo.chip(),
                    newInfo.firmware(), Long.toHexString(newBoot));
        } else if (oldBoot != newBoot) {
            log.info("ESP32 bridge on {}: re-synchronised after a restart of the ESP32 (boot {} -> {})",
                    link.name(), Long.toHexString(oldBoot), Long.toHexString(newBoot));
            if (!oldInfo.chip().equals(newInfo.chip())) {
                log.warn("ESP32 bridge on {}: the chip changed from {} to {}", link.name(), oldInfo.chip(),
                        newInfo.chip());
            }
        } else {
            log.info("ESP32 bridge on {}: re-synchronised (same boot {})", link.name(), Long.toHexString(newBoot));
        }
    }

    private void keepAlive() {
        if (status.state() != State.SYNCED) {
            return;
        }
        if (System.nanoTime() - lastSentNanos < config.keepAlive().toNanos()) {
            return;
        }
        try {
            exchange(BridgeProtocol.PING, new byte[0]);
        } catch (Esp32BridgeException e) {
            if (e.error() == BridgeError.NO_SESSION) {
                connect();
            }
        } catch (HalException e) {
            desync(e.reason(), e.getMessage());
            connect();
        }
    }

    // ---- the link ----

    private void linkLost(int gen, IOException e) {
        synchronized (syncLock) {
            if (status.state() == State.CLOSED || !linkOpen || gen != generation) {
                return;
            }
            linkOpen = false;
        }
        log.info("ESP32 bridge on {}: port lost ({}); reopening", link.name(), e.getMessage());
        desync(Reason.ABSENT, e.getMessage());
        link.close();
        Pending p = pending;
        if (p != null) {
            p.reply.completeExceptionally(new HalException(Reason.ABSENT, e.getMessage()));
        }
        reopenAttempts = 0;
        try {
            linkThread.execute(() -> retryLater("port lost"));
        } catch (RejectedExecutionException closed) {
            // closed meanwhile
        }
    }

    private void startReader() {
        int gen = generation;
        Thread t = new Thread(() -> readLoop(gen), "fl-esp32-rx-" + threadName(link.name()));
        t.setDaemon(true);
        reader = t;
        t.start();
    }

    /** Waits for the reader of the previous opening (its port is closed, so it ends promptly). */
    private void joinReader() {
        Thread t = reader;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void readLoop(int gen) {
        byte[] buffer = new byte[512];
        FrameDecoder.Sink sink = new FrameDecoder.Sink() {
            @Override
            public void packet(Packet packet) {
                received(packet);
            }

            @Override
            public void defect(FrameException defect) {
                switch (defect.defect()) {
                    case CRC -> crcErrors.incrementAndGet();
                    case FRAMING -> framingErrors.incrementAndGet();
                    case OVERSIZE -> oversizeFrames.incrementAndGet();
                }
                log.debug("{}: {} frame dropped: {}", link.name(), defect.defect(), defect.getMessage());
            }
        };
        while (linkOpen && gen == generation && status.state() != State.CLOSED) {
            int n;
            try {
                n = link.read(buffer);
            } catch (IOException e) {
                linkLost(gen, e);
                return;
            }
            if (n > 0) {
                decoder.feed(buffer, 0, n, sink);
            }
        }
    }

    private void received(Packet packet) {
        framesReceived.incrementAndGet();
        if (packet.id() == 0) {
            if (packet.kind() == BridgeProtocol.READINGS) {
                readings(packet);
            } else if (packet.kind() == BridgeProtocol.BOOT) {
                long boot = packet.length() >= 4 ? packet.u32(0) : -1;
                if (boot != bootId) {
                    requestResync(Reason.ABSENT, "the ESP32 restarted (boot " + Long.toHexString(boot) + ")");
                }
            } else {
                strayReplies.incrementAndGet();
            }
            return;
        }
        Pending p = pending;
        if (p != null && p.id == packet.id()) {
            p.reply.complete(packet);
        } else {
            strayReplies.incrementAndGet();
            log.debug("{}: reply matching no request: {}", link.name(), packet);
        }
    }

    private void readings(Packet packet) {
        pushes.incrementAndGet();
        if (packet.length() >= 2) {
            int seq = packet.u16(0);
            int last = lastPushSeq;
            if (last >= 0) {
                int gap = (seq - last - 1) & 0xFFFF;
                if (gap > 0 && gap < 0x8000) {
                    pushesMissed.addAndGet(gap);
                }
            }
            lastPushSeq = seq;
        }
        owner.readings(packet, Instant.now());
    }

    @Override
    public void close() {
        synchronized (syncLock) {
            if (status.state() == State.CLOSED) {
                return;
            }
            status = new Status(State.CLOSED, Reason.ABSENT, "closed");
            synced.complete(null);
        }
        linkThread.shutdownNow();
        linkOpen = false;
        link.close();
        Pending p = pending;
        if (p != null) {
            p.reply.completeExceptionally(new HalException(Reason.ABSENT, "closed"));
        }
        joinReader();
        try {
            linkThread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String threadName(String port) {
        int slash = port.lastIndexOf('/');
        return slash >= 0 ? port.substring(slash + 1) : port;
    }
}

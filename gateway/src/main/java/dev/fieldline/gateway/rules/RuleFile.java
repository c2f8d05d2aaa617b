package dev.fieldline.gateway.rules;

import dev.fieldline.gateway.metrics.Metrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rules file: the one source of truth for the rule engine's rules. Created empty if absent;
 * watched (its modification time and size, polled every {@link #POLL}): a valid edit is put in force
 * atomically ({@link RuleEngine#replace}, unchanged rules keep their state), an invalid one leaves
 * the rules in force, is logged once at WARN, counted in {@code rules_reload_failed_total} and shown
 * by {@link #lastError()}. Changes through the REST API ({@link #create}, {@link #update},
 * {@link #delete}, {@link #setEnabled}) rewrite the file atomically (a temporary file renamed over
 * it) and put the result in force at once. Comments in the file do not survive such a rewrite.
 */
public final class RuleFile implements AutoCloseable {
    public static final Duration POLL = Duration.ofSeconds(1);
    public static final String RELOAD_FAILED = "rules_reload_failed_total";
    public static final String RELOADED = "rules_reloaded_total";
    private static final Logger log = LoggerFactory.getLogger(RuleFile.class);

    private final Path file;
    private final RuleParser parser;
    private final RuleEngine engine;
    private final Metrics metrics;
    private ScheduledExecutorService watcher;
    /** Modification time and size of the file as last read or written; a difference means an edit. */
    private Stamp seen;
    private Optional<String> lastError = Optional.empty();

    private record Stamp(FileTime modified, long size) {
    }

    private RuleFile(Path file, RuleParser parser, RuleEngine engine, Metrics metrics) {
        this.file = file;
        this.parser = parser;
        this.engine = engine;
        this.metrics = metrics;
    }

    /**
     * Reads the rules file (creating an empty one if it does not exist) and puts its rules in force.
     *
     * @throws RuleException if the file is invalid ({@code invalid_rule}) or cannot be read or created ({@code rules_file})
     */
    public static RuleFile open(Path file, RuleParser parser, RuleEngine engine, Metrics metrics) {
        RuleFile f = new RuleFile(file, parser, engine, metrics);
        synchronized (f) {
            if (!Files.exists(file)) {
                f.write(List.of());
            }
            Stamp stamp = f.stamp().orElseThrow(() -> new RuleException(RuleException.FILE, file + ": cannot be read"));
            engine.replace(parser.parseDocument(file.toString(), f.readText()));
            f.seen = stamp;
        }
        return f;
    }

    /** Starts watching the file for edits (a daemon thread {@code fieldline-rules-watch}). */
    public synchronized RuleFile watch() {
        if (watcher == null) {
            watcher = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "fieldline-rules-watch");
                t.setDaemon(true);
                return t;
            });
            watcher.scheduleWithFixedDelay(this::poll, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        }
        return this;
    }

    public Path path() {
        return file;
    }

    /** Why the last edit of the file was refused, until a valid edit replaces it. */
    public synchronized Optional<String> lastError() {
        return lastError;
    }

    /** Re-reads the file if it changed since it was last read or written; returns true if it was. */
    public synchronized boolean poll() {
        try {
            Optional<Stamp> now = stamp();
            if (now.isEmpty() || now.get().equals(seen)) {
                return false;
            }
            seen = now.get();
            try {
                engine.replace(parser.parseDocument(file.toString(), readText()));
                metrics.increment(RELOADED);
                if (lastError.isPresent()) {
                    log.info("rules file {} valid again; {} rules in force", file, engine.rules().size());
                }
                lastError = Optional.empty();
                log.debug("rules file {} reloaded: {} rules", file, engine.rules().size());
            } catch (RuleException e) {
                metrics.increment(RELOAD_FAILED);
                if (!lastError.equals(Optional.of(e.getMessage()))) {
                    log.warn("rules file {} not reloaded, the rules in force stay: {}", file, e.getMessage());
                }
                lastError = Optional.of(e.getMessage());
            }
            return true;
        } catch (RuntimeException e) {
            log.warn("watching the rules file {} failed: {}", file, e.toString());
            return false;
        }
    }

    /** Adds a rule. @throws RuleException {@code duplicate_rule} if its id is taken */
    public synchronized Rule create(Rule rule) {
        change(rules -> {
            if (find(rules, rule.id()).isPresent()) {
                throw new RuleException(RuleException.DUPLICATE, "a rule with id '" + rule.id() + "' already exists");
            }
            rules.add(rule);
            return rules;
        });
        return rule;
    }

    /** Replaces the rule with the same id. @throws RuleException {@code unknown_rule} if there is none */
    public synchronized Rule update(Rule rule) {
        change(rules -> {
            rules.set(index(rules, rule.id()), rule);
            return rules;
        });
        return rule;
    }

    /** Removes a rule. @throws RuleException {@code unknown_rule} if there is none */
    public synchronized void delete(String id) {
        change(rules -> {
            rules.remove(index(rules, id));
            return rules;
        });
    }

    /** Enables or disables a rule. @throws RuleException {@code unknown_rule} if there is none */
    public synchronized Rule setEnabled(String id, boolean enabled) {
        Rule[] out = new Rule[1];
        change(rules -> {
            int i = index(rules, id);
            out[0] = rules.get(i).withEnabled(enabled);
            rules.set(i, out[0]);
            return rules;
        });
        return out[0];
    }

    public Optional<Rule> rule(String id) {
        return find(engine.rules(), id);
    }

    /**
     * Applies a change to the rules in force, writes the file and puts the result in force. An edit
     * of the file not yet picked up is read first, so a REST change does not silently undo it (if
     * that edit is invalid, the change applies to the rules in force and overwrites it).
     */
    private void change(UnaryOperator<List<Rule>> edit) {
        poll();
        List<Rule> next = edit.apply(new ArrayList<>(engine.rules()));
        if (next.size() > RuleParser.MAX_RULES) {
            throw new RuleException(RuleException.INVALID, "at most " + RuleParser.MAX_RULES + " rules are allowed");
        }
        write(next);
        engine.replace(next);
        lastError = Optional.empty();
    }

    private static Optional<Rule> find(List<Rule> rules, String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst();
    }

    private static int index(List<Rule> rules, String id) {
        for (int i = 0; i < rules.size(); i++) {
            if (rules.get(i).id().equals(id)) {
                return i;
            }
        }
        throw new RuleException(RuleException.UNKNOWN, "no rule with id '" + id + "'");
    }

    private void write(List<Rule> rules) {
        String text = RuleParser.toYaml(rules);
        try {
            Path dir = Objects.requireNonNullElse(file.toAbsolutePath().getParent(), Path.of("."));
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try {
                Files.writeString(tmp, text, StandardCharsets.UTF_8);
                try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
            seen = stamp().orElse(null);
        } catch (IOException e) {
            throw new RuleException(RuleException.FILE, file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private String readText() {
        try {
            if (Files.size(file) > RuleParser.MAX_CHARS) {
                throw new RuleException(RuleException.INVALID, file + ": larger than " + RuleParser.MAX_CHARS + " bytes");
            }
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RuleException(RuleException.FILE, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private Optional<Stamp> stamp() {
        try {
            return Optional.of(new Stamp(Files.getLastModifiedTime(file), Files.size(file)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new RuleException(RuleException.FILE, file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }
}

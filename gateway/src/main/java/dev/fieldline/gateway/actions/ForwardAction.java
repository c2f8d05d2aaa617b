package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.cloud.CloudForward;
import dev.fieldline.gateway.cloud.CloudRecord;
import dev.fieldline.gateway.rules.RuleFiring;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * {@code forward {kind?}}: hands the firing to the cloud uplink's durable outbox as a
 * {@link CloudRecord} of kind {@code alert} (or the kind given), id {@code rule/device/metric/eventTime}
 * (the same firing always gets the same id, so the receiver can drop a copy), the firing's fields as
 * its body. Without a cloud uplink every forward action is refused when its rule is loaded. A full
 * outbox fails the action.
 */
final class ForwardAction implements Action {
    static final String TYPE = "forward";
    static final String NO_CLOUD = "no cloud uplink configured (see --cloud)";
    private static final Set<String> KNOWN = Set.of("kind");
    private static final Pattern KIND = Pattern.compile("[a-z][a-z0-9_]{0,31}");

    private final Optional<CloudForward> cloud;

    ForwardAction(Optional<CloudForward> cloud) {
        this.cloud = cloud;
    }

    @Override
    public String type() {
        return TYPE;
    }

    private String parse(ActionSettings s) {
        String kind = s.text("kind", 32).orElse("alert");
        if (!KIND.matcher(kind).matches()) {
            s.problem("kind", "must be 1-32 of a-z 0-9 _ starting with a letter, was '" + kind + "'");
        }
        if (cloud.isEmpty()) {
            s.problem("", NO_CLOUD);
        }
        return kind;
    }

    @Override
    public List<String> validate(Map<String, Object> settings) {
        return ActionSettings.check(TYPE, KNOWN, settings, this::parse);
    }

    @Override
    public CompletableFuture<?> fired(Map<String, Object> settings, RuleFiring f) {
        String kind = ActionSettings.read(TYPE, KNOWN, settings, this::parse);
        CloudRecord record = new CloudRecord(kind, FiringView.id(f), f.deviceId(), f.eventTime(), FiringView.body("fired", f));
        if (!cloud.orElseThrow().forward(record)) {
            return CompletableFuture.failedFuture(new IllegalStateException("the cloud outbox is full; " + record.id() + " not kept"));
        }
        return CompletableFuture.completedFuture(null);
    }
}

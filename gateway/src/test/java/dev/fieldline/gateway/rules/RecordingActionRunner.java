package dev.fieldline.gateway.rules;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** An action runner for tests: knows the four action types, requires a webhook url, records what it is told. */
public final class RecordingActionRunner implements ActionRunner {
    /** What the runner was told: {@code fired} or {@code cleared}, and the firing. */
    public record Call(String what, List<ActionSpec> actions, RuleFiring firing) {
    }

    public final List<Call> calls = new CopyOnWriteArrayList<>();
    private volatile boolean failing;

    @Override
    public Set<String> types() {
        return Set.of("alert", "command", "webhook", "forward");
    }

    @Override
    public List<String> validate(ActionSpec action) {
        List<String> problems = new ArrayList<>();
        if (action.type().equals("webhook") && !(action.settings().get("url") instanceof String u && u.startsWith("http"))) {
            problems.add("url: required, an http:// or https:// URL");
        }
        if (action.type().equals("command") && !(action.settings().get("name") instanceof String)) {
            problems.add("name: required, the command's name");
        }
        return problems;
    }

    /** From now on {@link #fired} throws. */
    public void failing(boolean fail) {
        failing = fail;
    }

    @Override
    public void fired(List<ActionSpec> actions, RuleFiring firing) {
        calls.add(new Call("fired", actions, firing));
        if (failing) {
            throw new IllegalStateException("webhook down");
        }
    }

    @Override
    public void cleared(List<ActionSpec> actions, RuleFiring firing) {
        calls.add(new Call("cleared", actions, firing));
    }

    public List<String> summary() {
        return calls.stream().map(c -> c.what() + " " + c.firing().ruleId() + " " + c.firing().deviceId() + "/"
                + c.firing().metric() + " " + c.firing().value()).toList();
    }
}

package dev.fieldline.gateway.actions;

import dev.fieldline.gateway.rules.RuleFiring;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** One action type of {@link GatewayActions}. Never blocks: slow work completes the returned future later. */
interface Action {
    String type();

    /** Problems with the settings, each naming the setting; empty when valid. */
    List<String> validate(Map<String, Object> settings);

    /** Runs the action for a firing; completes exceptionally if it failed (counted by the caller). */
    CompletableFuture<?> fired(Map<String, Object> settings, RuleFiring firing);

    /** The rule's condition cleared on the firing's stream; most actions do nothing. */
    default CompletableFuture<?> cleared(Map<String, Object> settings, RuleFiring firing) {
        return CompletableFuture.completedFuture(null);
    }
}

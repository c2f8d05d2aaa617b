package dev.fieldline.gateway;

import dev.fieldline.gateway.rules.ActionRunner;
import dev.fieldline.gateway.rules.ActionSpec;
import dev.fieldline.gateway.rules.RuleFiring;
import java.util.List;
import java.util.Set;

/**
 * The action runner while the gateway has none: it knows no action type, so rules load only
 * without actions (they are still evaluated, counted and shown by the API).
 */
final class NoActions implements ActionRunner {
    @Override
    public Set<String> types() {
        return Set.of();
    }

    @Override
    public List<String> validate(ActionSpec action) {
        return List.of("this gateway runs no actions");
    }

    @Override
    public void fired(List<ActionSpec> actions, RuleFiring firing) {
        // no action type is known, so no rule has actions
    }

    @Override
    public void cleared(List<ActionSpec> actions, RuleFiring firing) {
        // as above
    }
}

package dev.fieldline.gateway.rules;

import java.util.List;
import java.util.Set;

/**
 * Carries out rules' actions. The rule engine calls it on the analytics thread: implementations
 * hand slow work (webhooks, the cloud) to their own threads and never block.
 */
public interface ActionRunner {
    /** Action types this runner knows; a rule naming another type is refused when it is loaded. */
    Set<String> types();

    /**
     * Checks one action's settings when a rule is created or reloaded.
     *
     * @return problems, each naming the setting (empty when valid)
     */
    List<String> validate(ActionSpec action);

    /** The rule's condition became true on a stream: run its actions. */
    void fired(List<ActionSpec> actions, RuleFiring firing);

    /** The condition is no longer true on that stream (an alert action may resolve its alert). */
    void cleared(List<ActionSpec> actions, RuleFiring firing);
}

package io.warden.lifecycle;

import java.util.List;

/** What one input did: the life that follows and the effects to carry out, in order. */
public record Step(Life life, List<Effect> effects) {
    public Step {
        effects = List.copyOf(effects);
    }
}

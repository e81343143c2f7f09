package com.rafaribe.homelab.hub.policy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.List;

/** VolSync's mover pods have one container named "restic"; others (sidecars injected by a mesh) are not the mover. */
final class MoverContainer {
    static final String NAME = "restic";

    private MoverContainer() {
    }

    static Container of(Pod pod) {
        return of(pod.getSpec());
    }

    static Container of(PodSpec spec) {
        List<Container> containers = spec == null ? null : spec.getContainers();
        if (containers == null || containers.isEmpty()) {
            return null;
        }
        return containers.stream().filter(c -> NAME.equals(c.getName())).findFirst().orElse(containers.get(0));
    }
}

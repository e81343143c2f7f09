package com.rafaribe.homelab.hub.api.bus;

import java.util.Set;

/**
 * The clusters the kubeconfigs (and the in-cluster option) name, after each reading, published on
 * {@link Addresses#CLUSTERS_CONFIGURED}: readiness waits for each of them, also for those whose
 * verticle has not said anything yet.
 */
public record ClustersConfigured(Set<String> names) implements HubMessage {
    public ClustersConfigured {
        names = Set.copyOf(names);
    }
}

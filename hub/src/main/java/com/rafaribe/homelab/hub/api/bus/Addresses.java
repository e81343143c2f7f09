package com.rafaribe.homelab.hub.api.bus;

import java.time.Duration;

/**
 * Every event-bus address of the hub. Events flow from the clusters to the policy and on to
 * the dashboard; commands flow back to one cluster as request/reply with a timeout.
 */
public final class Addresses {
    private static final String PREFIX = "volsync-monitor-hub.";

    /** Cluster to policy (publish): {@link ClusterEvent}s. */
    public static final String CLUSTER_EVENTS = PREFIX + "cluster-events";
    /** Cluster and policy to dashboard (publish): {@link ReadModelUpdate}s. */
    public static final String READ_MODEL = PREFIX + "read-model";
    /** Cluster supervisor to dashboard (publish): {@link ClustersConfigured}, after every reading of the kubeconfigs. */
    public static final String CLUSTERS_CONFIGURED = PREFIX + "clusters-configured";
    /** Cluster and policy to dashboard (publish): {@link StageTiming}s, for /metrics. */
    public static final String STAGE_TIMINGS = PREFIX + "stage-timings";

    /** How long a command to a cluster may take before its caller gives up. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    private Addresses() {
    }

    /** Policy to one cluster (request/reply): {@link ClusterCommand}s. Cluster names may hold slashes. */
    public static String clusterCommands(String cluster) {
        return PREFIX + "cluster." + cluster + ".commands";
    }
}

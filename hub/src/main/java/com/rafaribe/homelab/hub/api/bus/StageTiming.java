package com.rafaribe.homelab.hub.api.bus;

import java.util.List;

/**
 * How long one stage of handling a failed mover pod took, as the adapter that ran it measured it
 * (the pure policy measures nothing); published on {@link Addresses#STAGE_TIMINGS} for /metrics.
 */
public record StageTiming(String stage, String cluster, long nanos) implements HubMessage {
    /** From fabric8 handing the pod's watch event to the hub to the failure published to the policy: the cluster's event loop. */
    public static final String POD_EVENT = "pod_event";
    /** The failed pod's log: the command's round trip (the event bus, the worker pool and one GET of pods/log). */
    public static final String LOG_READ = "log_read";
    /** The lock detector on the log, from its submission to the worker pool to its verdict. */
    public static final String DETECTION = "detection";
    /** Asking the cluster about the lock's holder: from the caches, or one GET by name where they cannot place it. */
    public static final String HOLDER_DECISION = "holder_decision";
    /** The unlock Job's create request, to its answer. */
    public static final String JOB_CREATE = "job_create";
    public static final List<String> STAGES = List.of(POD_EVENT, LOG_READ, DETECTION, HOLDER_DECISION, JOB_CREATE);
}

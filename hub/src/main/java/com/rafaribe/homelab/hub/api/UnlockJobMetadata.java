package com.rafaribe.homelab.hub.api;

/**
 * Labels and annotations of the hub's unlock Jobs: the contract between the Job builder, the
 * cluster watches (which select unlock Jobs by these labels) and a restarted hub (which rebuilds
 * its view from them). Never VolSync's labels: {@code app.kubernetes.io/created-by=volsync} would
 * make an unlock Job look like a mover, {@code volsync.backube/cleanup} would let VolSync delete it.
 */
public final class UnlockJobMetadata {
    private static final String PREFIX = VolSyncMonitor.GROUP + "/";

    public static final String NAME_LABEL = "app.kubernetes.io/name";
    public static final String NAME = "volsync-unlock";
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "volsync-monitor-hub";
    /** Selects every unlock Job and unlock pod of the hub. */
    public static final String SELECTOR = NAME_LABEL + "=" + NAME + "," + MANAGED_BY_LABEL + "=" + MANAGED_BY;

    public static final String MONITOR_LABEL = PREFIX + "monitor";
    public static final String MONITOR_NAMESPACE_LABEL = PREFIX + "monitor-namespace";
    public static final String FAILED_JOB_LABEL = PREFIX + "failed-job";

    public static final String FAILED_JOB = PREFIX + "failed-job";
    public static final String FAILED_JOB_UID = PREFIX + "failed-job-uid";
    public static final String FAILED_POD = PREFIX + "failed-pod";
    public static final String FAILED_POD_UID = PREFIX + "failed-pod-uid";
    public static final String APP = PREFIX + "app";
    public static final String MATCHED_LINE = PREFIX + "matched-line";
    public static final String DECIDED_BY = PREFIX + "decided-by";
    public static final String HOLDER = PREFIX + "holder";
    public static final String REPOSITORY_KEY = PREFIX + "repository-key";
    public static final String CLUSTER = PREFIX + "cluster";
    public static final String MONITOR = PREFIX + "monitor";
    /** 1, 2, ...: a failed pod gets a new unlock Job when a plain unlock removed nothing. Part of the Job's name. */
    public static final String ATTEMPT = PREFIX + "attempt";
    /** "remove-all" (the holder is provably gone) or "plain" (restic's own stale rule). */
    public static final String UNLOCK_MODE = PREFIX + "unlock-mode";

    /** Env added for compatibility with the original controller's unlock Jobs. */
    public static final String ENV_FAILED_JOB_NAME = "FAILED_JOB_NAME";
    public static final String ENV_LOCK_ERROR = "LOCK_ERROR";
    public static final String ENV_UNLOCK_OPERATION = "UNLOCK_OPERATION";

    private UnlockJobMetadata() {
    }
}

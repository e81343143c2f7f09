package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Who this hub is and how it holds each cluster's Lease ({@code coordination.k8s.io/v1}, named {@link #NAME}).
 * A hub acts on a cluster only while it holds that cluster's Lease. The renew deadline is shorter than the
 * lease: a hub that cannot renew stops acting before another hub may take the Lease (fencing by time).
 *
 * @param namespace where the Lease lives in every cluster
 * @param identity the Lease's holderIdentity: unique per running hub
 * @param leaseDuration how long a Lease not renewed keeps others out
 * @param renewDeadline how long the holder keeps trying to renew before it stops acting
 * @param retryPeriod how often a standby hub tries to take the Lease, and the holder renews it
 * @param replicas how many hubs share the clusters: each takes at most ceil(clusters / replicas) + 1 Leases
 *     while the others may take the rest ({@link LeaseShare})
 */
public record LeaseSettings(String namespace, String identity, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod,
                            int replicas) {
    public static final String NAME = "volsync-monitor-hub";
    /**
     * 12 s, not the 15 s of client-go's defaults: fabric8's elector tries every retry period plus up
     * to 120% jitter (2 to 4.4 s), so a dead holder's Lease is taken up to lease + 4.4 s after its last
     * renewal. Measured with 15 s (scripts/bench-failover, 20 SIGKILLs): p50 16.8 s, p99 19.1 s, too
     * close to the 20 s a handover may take; with 12 s the worst case is 16.4 s, at the same cost.
     */
    public static final Duration LEASE_DURATION = Duration.ofSeconds(12);
    public static final Duration RENEW_DEADLINE = Duration.ofSeconds(8);
    public static final Duration RETRY_PERIOD = Duration.ofSeconds(2);

    public LeaseSettings {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, not " + replicas);
        }
        if (renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException("the renew deadline (" + renewDeadline + ") must be shorter than the lease ("
                    + leaseDuration + "): a hub must stop acting before another may take the Lease");
        }
        if (retryPeriod.compareTo(renewDeadline) >= 0) {
            throw new IllegalArgumentException("the retry period (" + retryPeriod + ") must be shorter than the renew deadline ("
                    + renewDeadline + ")");
        }
    }

    /** One hub, taking every Lease it can. */
    public LeaseSettings(String namespace, String identity, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        this(namespace, identity, leaseDuration, renewDeadline, retryPeriod, 1);
    }

    /** The default timings: lease 12 s, renew deadline 8 s, retry 2 s. */
    public LeaseSettings(String namespace, String identity) {
        this(namespace, identity, LEASE_DURATION, RENEW_DEADLINE, RETRY_PERIOD);
    }

    public LeaseSettings withReplicas(int n) {
        return new LeaseSettings(namespace, identity, leaseDuration, renewDeadline, retryPeriod, n);
    }

    /** This hub's count of Leases over its clusters: a Lease free for a lease duration is taken whatever the count. */
    LeaseShare newShare() {
        return new LeaseShare(replicas, leaseDuration);
    }

    /** The first trusted monitor namespace, or the default one when every namespace is trusted. */
    public static String defaultNamespace(TrustedNamespaces trusted) {
        return trusted.namespaces().stream().filter(n -> !TrustedNamespaces.ALL.equals(n)).findFirst().orElse(TrustedNamespaces.DEFAULT);
    }

    /** In a pod, its name (POD_NAME from the downward API, else HOSTNAME, which the kubelet sets to it); else host:pid. */
    public static String defaultIdentity(UnaryOperator<String> env) {
        String pod = env.apply("POD_NAME");
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        String host = env.apply("HOSTNAME");
        if (env.apply("KUBERNETES_SERVICE_HOST") != null && host != null && !host.isBlank()) {
            return host;
        }
        String name;
        try {
            name = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            name = host == null || host.isBlank() ? "localhost" : host;
        }
        return name + ":" + ProcessHandle.current().pid();
    }
}

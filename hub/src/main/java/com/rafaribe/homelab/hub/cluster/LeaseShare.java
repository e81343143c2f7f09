package com.rafaribe.homelab.hub.cluster;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How many of its clusters' Leases one hub takes, so that replicas spread the clusters among them
 * without a coordinator: at most ceil(clusters / replicas) + 1 Leases taken while other hubs may
 * take the rest. A Lease that has stayed free (nobody holds it, or its holder stopped renewing) for
 * longer than {@code patience} is taken whatever the count: fewer replicas run than were said (one
 * died, a node is gone), and a cluster must not be left without an actor. Renewing a Lease already
 * held is never refused. One per hub, shared by its clusters' Lease loops (any thread).
 */
final class LeaseShare {
    private final int replicas;
    private final Duration patience;
    private final Set<String> competing = new HashSet<>();
    private final Set<String> held = new HashSet<>();
    private final Map<String, Instant> freeSince = new HashMap<>();

    /** @param replicas how many hubs share the clusters (1: this hub takes every Lease it can) */
    LeaseShare(int replicas, Duration patience) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, not " + replicas);
        }
        this.replicas = replicas;
        this.patience = patience;
    }

    /** A hub on its own: no share to keep. */
    static LeaseShare alone() {
        return new LeaseShare(1, Duration.ZERO);
    }

    synchronized void compete(String cluster) {
        competing.add(cluster);
    }

    synchronized void withdraw(String cluster) {
        competing.remove(cluster);
        held.remove(cluster);
        freeSince.remove(cluster);
    }

    /** The most Leases this hub takes while others may take the rest. */
    synchronized int limit() {
        int clusters = Math.max(competing.size(), 1);
        return (clusters + replicas - 1) / replicas + 1;
    }

    /** What the cluster's Lease said when read at {@code now}: free to take (nobody holds it, or it expired), or not. */
    synchronized void seen(String cluster, boolean free, Instant now) {
        if (free) {
            freeSince.putIfAbsent(cluster, now);
        } else {
            freeSince.remove(cluster);
        }
    }

    /** Whether this hub may take the cluster's Lease now; if it may, the Lease counts as this hub's until {@link #released}. */
    synchronized boolean mayTake(String cluster, Instant now) {
        if (held.contains(cluster)) {
            return true;
        }
        Instant since = freeSince.get(cluster);
        boolean waitedLongEnough = since != null && !now.isBefore(since.plus(patience));
        if (held.size() < limit() || waitedLongEnough) {
            held.add(cluster);
            return true;
        }
        return false;
    }

    synchronized void released(String cluster) {
        held.remove(cluster);
    }

    synchronized int held() {
        return held.size();
    }
}

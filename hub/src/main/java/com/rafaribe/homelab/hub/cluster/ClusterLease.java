package com.rafaribe.homelab.hub.cluster;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub's right to act on one cluster: fabric8's {@link LeaderElector} on a {@link LeaseLock} in
 * that cluster, on the cluster's own client. Its calls block, so they run on {@code executor}, never
 * on an event loop. The first attempt to take the Lease is made at once; after losing it the hub
 * becomes a candidate again. Every callback of {@link Listener} comes on a fabric8 thread.
 */
final class ClusterLease {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterLease.class);

    /** What the cluster verticle hears; each call on a fabric8 thread. */
    interface Listener {
        /** This hub holds the Lease (true) or no longer does (false): it acts accordingly at once. */
        void acting(boolean acting);

        /** Who holds the Lease as last read or written, and since when; null if nobody does. */
        void holder(String identity, Instant since);

        /** Why the Lease cannot be read or taken (a 403, a missing namespace), or null once it can. */
        void problem(String why);
    }

    private final String cluster;
    private final KubernetesClient client;
    private final LeaseSettings settings;
    private final Executor executor;
    private final Listener listener;
    private final LeaseShare share;
    private volatile boolean stopped;
    private volatile LeaderElector elector;
    private volatile CompletableFuture<?> running;

    /** @param share this hub's count of the Leases it holds, over all its clusters */
    ClusterLease(String cluster, KubernetesClient client, LeaseSettings settings, LeaseShare share, Executor executor, Listener listener) {
        this.cluster = cluster;
        this.client = client;
        this.settings = settings;
        this.share = share;
        this.executor = executor;
        this.listener = listener;
    }

    /** Starts competing for the Lease; returns at once. */
    synchronized void start() {
        if (stopped) {
            return;
        }
        share.compete(cluster);
        LeaderElector e = new LeaderElectorBuilder(client, executor).withConfig(new LeaderElectionConfigBuilder()
                .withName(LeaseSettings.NAME + "@" + cluster)
                .withLock(new ObservedLock(new LeaseLock(settings.namespace(), LeaseSettings.NAME, settings.identity())))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                // A hub that stops (a rolling update, a laptop's Ctrl-C) hands over at once instead of after a lease duration.
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(() -> {
                    LOG.info("cluster {}: took the Lease {}/{} as {}: acting", cluster, settings.namespace(), LeaseSettings.NAME,
                            settings.identity());
                    listener.acting(true);
                }, () -> {
                    LOG.info("cluster {}: not holding the Lease any more: standby", cluster);
                    share.released(cluster);
                    listener.acting(false);
                }, leader -> { }))
                .build()).build();
        elector = e;
        CompletableFuture<?> f = e.start();
        running = f;
        // Lost (not renewed in time), or the election failed: a candidate again, after a retry period.
        f.whenComplete((v, t) -> {
            if (!stopped) {
                CompletableFuture.delayedExecutor(settings.retryPeriod().toMillis(), TimeUnit.MILLISECONDS, executor).execute(this::start);
            }
        });
    }

    /** Stops competing and, if held, releases the Lease so that another hub takes it at once. Blocks: call it off the event loops. */
    void stop() {
        CompletableFuture<?> f;
        synchronized (this) {
            stopped = true;
            f = running;
        }
        if (f != null) {
            // fabric8 releases the Lease on the cancelling thread (releaseOnCancel), then calls onStopLeading.
            f.cancel(true);
        }
        share.withdraw(cluster);
    }

    /** The Lease lock, telling who holds it and why it cannot be taken, and taking it only within this hub's share. */
    private final class ObservedLock implements Lock {
        private final LeaseLock lease;
        /** The holder the last read found: a write after it takes the Lease over unless it is this hub. */
        private volatile String lastHolder;

        ObservedLock(LeaseLock lease) {
            this.lease = lease;
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient c) {
            LeaderElectionRecord record;
            try {
                record = lease.get(c);
            } catch (RuntimeException e) {
                refused(e);
                throw e;
            }
            seen(record);
            Instant now = Instant.now();
            lastHolder = record == null ? null : record.getHolderIdentity();
            boolean mine = settings.identity().equals(lastHolder);
            share.seen(cluster, !mine && free(record, now), now);
            if (record != null && record.getHolderIdentity() != null && !record.getHolderIdentity().isEmpty()
                    && !record.getHolderIdentity().equals(settings.identity())) {
                // Held by another hub: standing by is right, and nothing is refused.
                listener.problem(null);
            }
            return record;
        }

        @Override
        public void create(KubernetesClient c, LeaderElectionRecord record) {
            write(() -> lease.create(c, record), record);
        }

        @Override
        public void update(KubernetesClient c, LeaderElectionRecord record) {
            write(() -> lease.update(c, record), record);
        }

        /**
         * A write of the Lease: a refusal is told (and thrown on to the elector), a success clears the problem.
         * Taking the Lease over beyond this hub's share is not tried: the elector hears a conflict, as when
         * another hub was first, and tries again after a retry period.
         */
        private void write(Runnable request, LeaderElectionRecord record) {
            boolean takeover = !settings.identity().equals(lastHolder);
            if (takeover && !share.mayTake(cluster, Instant.now())) {
                throw new KubernetesClientException("this hub holds its share of Leases (" + share.limit() + "); another hub may take "
                        + cluster + "'s", 409, null);
            }
            try {
                request.run();
            } catch (RuntimeException e) {
                if (takeover) {
                    share.released(cluster);
                }
                refused(e);
                throw e;
            }
            listener.problem(null);
            seen(record);
        }

        @Override
        public String identity() {
            return lease.identity();
        }

        @Override
        public String describe() {
            return lease.describe();
        }

        private void seen(LeaderElectionRecord record) {
            String holder = record == null || record.getHolderIdentity() == null || record.getHolderIdentity().isEmpty()
                    ? null : record.getHolderIdentity();
            listener.holder(holder, holder == null || record.getAcquireTime() == null ? null : record.getAcquireTime().toInstant());
        }

        /** Nobody holds it, or its holder has not renewed it within its lease duration. */
        private static boolean free(LeaderElectionRecord record, Instant now) {
            if (record == null || record.getHolderIdentity() == null || record.getHolderIdentity().isEmpty()) {
                return true;
            }
            return record.getRenewTime() == null || record.getLeaseDuration() == null
                    || record.getRenewTime().toInstant().plus(record.getLeaseDuration()).isBefore(now);
        }

        /** A conflict is another hub renewing first: the contest, not a problem. */
        private void refused(RuntimeException e) {
            if (!(e instanceof KubernetesClientException k && k.getCode() == 409)) {
                listener.problem("cannot take the lease: " + ConnectionErrors.describe(e));
            }
        }
    }
}

package com.rafaribe.homelab.hub.cluster;

import static com.rafaribe.homelab.hub.cluster.TrimmingStore.trimmed;

import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClusterEvent;
import com.rafaribe.homelab.hub.api.bus.StageTiming;
import com.rafaribe.homelab.hub.backups.BackupFacts;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.GoDuration;
import com.rafaribe.homelab.hub.policy.PodFacts;
import com.rafaribe.homelab.hub.policy.PodStates;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The informers of one connection to a cluster, and what their objects tell the policy and the
 * dashboard, as {@link ClusterEvent}s: VolSync's mover pods and Jobs, the hub's unlock Jobs and
 * pods, the VolSyncMonitors, and (when VolSync is installed) ReplicationSources and
 * ReplicationDestinations. fabric8 calls handlers on its own threads: each hops to the cluster
 * verticle's context first, where everything here runs.
 */
final class ClusterInformers {
    static final String MOVER_LABEL = "app.kubernetes.io/created-by";
    static final String MOVER_VALUE = "volsync";
    static final String WATCH_SOURCES = "watch ReplicationSources";
    static final String WATCH_DESTINATIONS = "watch ReplicationDestinations";

    /** The cluster verticle, told on its context; a new one for every connection, so nothing of a closed one arrives. */
    interface Listener {
        /** For the bus: the verticle decides whether the policy hears it (only while this hub holds the Lease). */
        void publish(ClusterEvent event);

        /** The counts shown with the cluster (monitors, mover pods) may have changed. */
        void countsChanged();

        /** A watch the cluster works without (ReplicationSources, ReplicationDestinations) works, or is refused (401/403). */
        void allowed(String command);

        void refused(Throwable cause, String command);

        /** A list or watch of an informer the cluster needs failed; fabric8 retries it for ever. */
        void watchError(Throwable t);

        /** Events are handled once the first lists are complete: until then {@link #reportAll()} reports them all at once. */
        boolean handling();
    }

    private final String cluster;
    private final Vertx vertx;
    private final Context context;
    private final Listener listener;
    /** The informers the cluster needs: their first lists must complete before the cluster is Connected. */
    private final List<SharedIndexInformer<?>> needed = new ArrayList<>();
    private SharedIndexInformer<Pod> moverPods;
    private SharedIndexInformer<Job> moverJobs;
    private SharedIndexInformer<Job> unlockJobs;
    private SharedIndexInformer<Pod> unlockPods;
    private SharedIndexInformer<VolSyncMonitor> monitors;
    private SharedIndexInformer<GenericKubernetesResource> replicationSources;
    /** For the backups' read model only: like ReplicationSources, watched when VolSync is installed, never waited for. */
    private SharedIndexInformer<GenericKubernetesResource> replicationDestinations;
    private final Set<String> reportedMoverStatuses = new HashSet<>();
    private final Set<String> reportedFailedPods = new HashSet<>();
    /**
     * While {@link #reportAll()} runs: the counts are told once at its end, not once per cached object (a cluster of
     * 300 movers made 300 cluster views, each built into the dashboard's JSON, at every connection).
     */
    private boolean reporting;
    /** While a watch event is handled: when fabric8 handed it over (System.nanoTime()); else 0. */
    private long eventReceived;

    ClusterInformers(String cluster, Vertx vertx, Context context, Listener listener) {
        this.cluster = cluster;
        this.vertx = vertx;
        this.context = context;
        this.listener = listener;
    }

    /** Completes once the needed informers have listed and watch; ReplicationSources and -Destinations start after them. */
    CompletableFuture<Void> start(KubernetesClient c) {
        // No informer resync: the verticle's rescan does its job on the cached objects, at the monitors' scanInterval.
        long resyncMillis = 0;
        // Each cache keeps only what the hub reads of its objects (CachedFields): they are most of the heap.
        moverPods = trimmed(c.pods().inAnyNamespace().withLabel(MOVER_LABEL, MOVER_VALUE).runnableInformer(resyncMillis), CachedFields::pod);
        moverJobs = trimmed(c.batch().v1().jobs().inAnyNamespace().withLabel(MOVER_LABEL, MOVER_VALUE).runnableInformer(resyncMillis),
                CachedFields::moverJob);
        unlockJobs = trimmed(c.batch().v1().jobs().inAnyNamespace().withLabels(unlockSelector()).runnableInformer(resyncMillis),
                CachedFields::metadata);
        unlockPods = trimmed(c.pods().inAnyNamespace().withLabels(unlockSelector()).runnableInformer(resyncMillis), CachedFields::pod);
        monitors = trimmed(c.resources(VolSyncMonitor.class).inAnyNamespace().runnableInformer(resyncMillis), CachedFields::metadata);
        moverPods.addEventHandler(handler(this::onMoverPod, this::onPodDeleted));
        moverJobs.addEventHandler(handler(this::replicationSourcesOf, job -> { }));
        unlockJobs.addEventHandler(handler(job -> onUnlockJob(job, false), job -> onUnlockJob(job, true)));
        unlockPods.addEventHandler(handler(this::onUnlockPod, this::onPodDeleted));
        monitors.addEventHandler(handler(m -> onMonitors(), m -> onMonitors()));
        needed.addAll(List.of(moverPods, moverJobs, unlockJobs, unlockPods, monitors));
        // VolSync may not be installed: ReplicationSources are watched when they exist, never waited for.
        // The full resource context: naming only apiVersion and kind would make fabric8 run a blocking discovery call here.
        replicationSources = trimmed(c.genericKubernetesResources(ClusterVerticle.REPLICATION_SOURCES).inAnyNamespace()
                .runnableInformer(resyncMillis), CachedFields::replicationSource);
        replicationSources.addEventHandler(handler(this::onReplicationSource, rs -> backupDeleted(BackupFacts.SOURCE, rs)));
        SharedIndexInformer<GenericKubernetesResource> sources = replicationSources;
        sources.exceptionHandler((isStarted, t) -> {
            refused(t, WATCH_SOURCES);
            return true;
        });
        replicationDestinations = c.genericKubernetesResources(ClusterVerticle.REPLICATION_DESTINATIONS).inAnyNamespace()
                .runnableInformer(resyncMillis);
        replicationDestinations.addEventHandler(handler(this::onReplicationDestination, rd -> backupDeleted(BackupFacts.DESTINATION, rd)));
        SharedIndexInformer<GenericKubernetesResource> destinations = replicationDestinations;
        destinations.exceptionHandler((isStarted, t) -> {
            refused(t, WATCH_DESTINATIONS);
            return true;
        });
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (SharedIndexInformer<?> informer : needed) {
            informer.exceptionHandler((isStarted, t) -> {
                context.runOnContext(v -> listener.watchError(t));
                return true;
            });
            starts.add(informer.start().toCompletableFuture());
        }
        return CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
                .thenRun(() -> sources.start().whenComplete((v, t) -> refused(t, WATCH_SOURCES)))
                .thenRun(() -> destinations.start().whenComplete((v, t) -> refused(t, WATCH_DESTINATIONS)));
    }

    /** Stops every informer. The needed ones' stores stay readable: the cluster shows its last counts while it reconnects. */
    void close() {
        if (replicationSources != null) {
            replicationSources.close();
            replicationSources = null;
        }
        if (replicationDestinations != null) {
            replicationDestinations.close();
            replicationDestinations = null;
        }
        needed.forEach(SharedIndexInformer::close);
        needed.clear();
    }

    boolean allWatching() {
        return needed.stream().allMatch(SharedIndexInformer::isWatching);
    }

    SharedIndexInformer<Pod> moverPods() {
        return moverPods;
    }

    SharedIndexInformer<Job> moverJobs() {
        return moverJobs;
    }

    SharedIndexInformer<Pod> unlockPods() {
        return unlockPods;
    }

    SharedIndexInformer<VolSyncMonitor> monitors() {
        return monitors;
    }

    int monitorCount() {
        return monitors == null ? 0 : monitors.getStore().list().size();
    }

    int moverPodCount() {
        return moverPods == null ? 0 : moverPods.getStore().list().size();
    }

    /** Everything cached, to the policy, as on a first connection: after a reconnection, or on taking the Lease. */
    void reportAll() {
        reporting = true;
        try {
            reportEach();
        } finally {
            reporting = false;
        }
        listener.countsChanged();
    }

    private void reportEach() {
        // The policy learns the monitors and the existing unlock Jobs before any failed pod.
        onMonitors();
        unlockPods.getStore().list().forEach(pod -> listener.publish(new ClusterEvent.PodChanged(cluster, PodFacts.of(cluster, pod), false)));
        unlockJobs.getStore().list().forEach(job -> onUnlockJob(job, false));
        reportedFailedPods.clear();
        moverPods.getStore().list().forEach(this::onMoverPod);
        reportedMoverStatuses.clear();
        if (replicationSources != null) {
            replicationSources.getStore().list().forEach(this::onReplicationSource);
        }
        if (replicationDestinations != null) {
            replicationDestinations.getStore().list().forEach(this::onReplicationDestination);
        }
        listener.publish(new ClusterEvent.ClusterSynced(cluster));
    }

    /**
     * The safety net the original controller's scanInterval names: the cached objects are reported
     * again (no API call), so that nothing a missed event would have triggered is lost. The policy
     * ignores what it has already decided.
     */
    void rescan() {
        onMonitors();
        unlockJobs.getStore().list().forEach(job -> onUnlockJob(job, false));
        moverPods.getStore().list().stream().filter(PodStates::failed).forEach(pod -> {
            Job job = jobOf(pod);
            listener.publish(new ClusterEvent.MoverPodFailed(cluster, pod, job, FailedMover.of(pod, job)));
        });
    }

    /** The shortest scanInterval of the cluster's valid monitors, or {@code otherwise} when none says one. */
    Duration shortestScanInterval(Duration otherwise) {
        return monitors == null ? otherwise : monitors.getStore().list().stream()
                .map(m -> m.getSpec() == null ? null : m.getSpec().getScanInterval())
                .map(GoDuration::parse).flatMap(java.util.Optional::stream)
                .min(Duration::compareTo).orElse(otherwise);
    }

    /** The backups, for the dashboard: a hub standing by still shows them, watched as they are. */
    void reportBackups() {
        if (replicationSources != null) {
            replicationSources.getStore().list().forEach(rs ->
                    listener.publish(new ClusterEvent.BackupChanged(cluster, BackupFacts.of(cluster, BackupFacts.SOURCE, rs))));
        }
        if (replicationDestinations != null) {
            replicationDestinations.getStore().list().forEach(rd ->
                    listener.publish(new ClusterEvent.BackupChanged(cluster, BackupFacts.of(cluster, BackupFacts.DESTINATION, rd))));
        }
    }

    /** VolSync not installed (404) is fine; not allowed (401/403) must show, though the cluster works without them. */
    private void refused(Throwable t, String command) {
        Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause instanceof io.fabric8.kubernetes.client.KubernetesClientException k && (k.getCode() == 401 || k.getCode() == 403)) {
            context.runOnContext(v -> listener.refused(cause, command));
        }
    }

    private static Map<String, String> unlockSelector() {
        return Map.of(UnlockJobMetadata.NAME_LABEL, UnlockJobMetadata.NAME, UnlockJobMetadata.MANAGED_BY_LABEL, UnlockJobMetadata.MANAGED_BY);
    }

    /** fabric8 calls handlers on its own threads: hop to the verticle's context first. */
    private <T> ResourceEventHandler<T> handler(Consumer<T> upsert, Consumer<T> delete) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                long received = System.nanoTime();
                context.runOnContext(v -> whenHandling(upsert, obj, received));
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                long received = System.nanoTime();
                context.runOnContext(v -> whenHandling(upsert, newObj, received));
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                context.runOnContext(v -> whenHandling(delete, obj, System.nanoTime()));
            }
        };
    }

    private <T> void whenHandling(Consumer<T> action, T obj, long received) {
        if (listener.handling()) {
            eventReceived = received;
            try {
                action.accept(obj);
            } finally {
                eventReceived = 0;
            }
        }
    }

    private void onMoverPod(Pod pod) {
        listener.publish(new ClusterEvent.PodChanged(cluster, PodFacts.of(cluster, pod), false));
        if (PodStates.failed(pod) && reportedFailedPods.add(pod.getMetadata().getUid())) {
            Job job = jobOf(pod);
            listener.publish(new ClusterEvent.MoverPodFailed(cluster, pod, job, FailedMover.of(pod, job)));
            if (eventReceived != 0) {
                // How long the watch event waited for this verticle's event loop: a busy loop holds every failure up here.
                vertx.eventBus().publish(Addresses.STAGE_TIMINGS, new StageTiming(StageTiming.POD_EVENT, cluster, System.nanoTime() - eventReceived));
            }
        }
        countsChanged();
    }

    /** The evidence of last resort: the log tail VolSync kept when it deleted a Job after 8 failed pods. */
    private void onReplicationSource(GenericKubernetesResource rs) {
        listener.allowed(WATCH_SOURCES);
        listener.publish(new ClusterEvent.BackupChanged(cluster, BackupFacts.of(cluster, BackupFacts.SOURCE, rs)));
        Object status = rs.getAdditionalProperties().get("status");
        Object latest = status instanceof Map<?, ?> m ? m.get("latestMoverStatus") : null;
        if (!(latest instanceof Map<?, ?> mover) || !"Failed".equals(mover.get("result"))) {
            return;
        }
        String time = String.valueOf(mover.get("time"));
        String uid = rs.getMetadata().getUid();
        if (!reportedMoverStatuses.add(uid + "/" + time)) {
            return;
        }
        Job job = moverJobs.getStore().list().stream()
                .filter(j -> j.getMetadata().getNamespace().equals(rs.getMetadata().getNamespace()))
                .filter(j -> !CachedFields.complete(j))
                .filter(j -> j.getMetadata().getOwnerReferences() != null && j.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> uid != null && uid.equals(o.getUid())))
                .findFirst().orElse(null);
        if (job == null) {
            // Report again once VolSync has created the Job whose pod template the unlock can mirror.
            reportedMoverStatuses.remove(uid + "/" + time);
        }
        listener.publish(new ClusterEvent.MoverStatusFailed(cluster, rs.getMetadata().getNamespace(), rs.getMetadata().getName(), uid,
                mover.get("logs") == null ? "" : String.valueOf(mover.get("logs")), time, job));
    }

    /** For the backups' read model: what the hub keeps of it, not the resource. */
    private void onReplicationDestination(GenericKubernetesResource rd) {
        listener.allowed(WATCH_DESTINATIONS);
        listener.publish(new ClusterEvent.BackupChanged(cluster, BackupFacts.of(cluster, BackupFacts.DESTINATION, rd)));
    }

    private void backupDeleted(String kind, GenericKubernetesResource resource) {
        listener.publish(new ClusterEvent.BackupDeleted(cluster, kind, resource.getMetadata().getNamespace(), resource.getMetadata().getName()));
    }

    private void onPodDeleted(Pod pod) {
        reportedFailedPods.remove(pod.getMetadata().getUid());
        listener.publish(new ClusterEvent.PodChanged(cluster, PodFacts.of(cluster, pod, true), true));
        countsChanged();
    }

    /** The pod's own Job: VolSync reuses Job names, so a Job of that name with another UID is a newer one, not this pod's. */
    private Job jobOf(Pod pod) {
        String jobName = FailedMover.of(pod, null).jobName();
        Job job = jobName == null ? null : moverJobs.getStore().getByKey(pod.getMetadata().getNamespace() + "/" + jobName);
        return FailedMover.isJobOf(pod, job) ? job : null;
    }

    /** A mover Job appeared: a ReplicationSource waiting for one to mirror may now be handled. */
    private void replicationSourcesOf(Job job) {
        if (replicationSources == null || job.getMetadata().getOwnerReferences() == null) {
            return;
        }
        job.getMetadata().getOwnerReferences().forEach(o -> replicationSources.getStore().list().stream()
                .filter(rs -> o.getUid() != null && o.getUid().equals(rs.getMetadata().getUid()))
                .forEach(this::onReplicationSource));
    }

    private void onUnlockJob(Job job, boolean deleted) {
        List<Pod> pods = unlockPods.getStore().list().stream()
                .filter(p -> p.getMetadata().getNamespace().equals(job.getMetadata().getNamespace()))
                .filter(p -> job.getMetadata().getName().equals(FailedMover.of(p, null).jobName()))
                .toList();
        listener.publish(new ClusterEvent.UnlockJobChanged(cluster, job, pods, deleted));
    }

    private void onUnlockPod(Pod pod) {
        listener.publish(new ClusterEvent.PodChanged(cluster, PodFacts.of(cluster, pod), false));
        String jobName = FailedMover.of(pod, null).jobName();
        Job job = jobName == null ? null : unlockJobs.getStore().getByKey(pod.getMetadata().getNamespace() + "/" + jobName);
        if (job != null) {
            onUnlockJob(job, false);
        }
    }

    private void countsChanged() {
        if (!reporting) {
            listener.countsChanged();
        }
    }

    private void onMonitors() {
        listener.publish(new ClusterEvent.MonitorsChanged(cluster, List.copyOf(monitors.getStore().list())));
        countsChanged();
    }
}

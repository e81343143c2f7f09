package com.rafaribe.homelab.hub.bench;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.cluster.ClusterVerticle;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One mock cluster of the benchmark: its API server, the requests it received, the VolSync objects
 * of its apps, and the floor: a bare informer on its pods in this JVM, noting when each failed pod arrived.
 */
final class BenchCluster implements AutoCloseable {
    /** The name and namespace of the pod that warms the floor up. */
    private static final String FLOOR_WARM_UP = "bench-floor-warm-up";
    static final int APPS_PER_NAMESPACE = 20;
    /** When the sources without movers last synced, at the latest: the benchmark's start, so that none is Late. */
    private static final Instant SOURCES_SYNCED = Instant.now();

    final SandboxApiServer api;
    final RequestLog requests;
    /** "namespace/pod" to when the bare informer saw it Failed. */
    final Map<String, Long> floorSeen = new ConcurrentHashMap<>();
    private SharedIndexInformer<Pod> floor;
    /** The floor has heard of its warm-up pod ({@link #warmFloor}). */
    private volatile boolean floorWarm;

    BenchCluster(String name) {
        api = SandboxApiServer.start(name);
        requests = new RequestLog("token-" + name);
        api.observeRequests(requests::record);
    }

    String name() {
        return api.name;
    }

    /** A mover pod of a backup that worked, with its Job (Complete) and ReplicationSource, as VolSync leaves them. */
    void addFinishedMover(int app) {
        KubernetesClient c = api.client();
        String ns = namespace(c, "apps-", app);
        String name = "app-" + app;
        Job job = VolSyncObjects.sourceJob(ns, name, VolSyncWorld.replicationSourceUid(c, ns, name), null);
        job.getMetadata().setUid(null);
        job.setStatus(new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build());
        job = c.batch().v1().jobs().inNamespace(ns).resource(job).create();
        Pod pod = VolSyncObjects.sourcePod(job, "x1y2z", null, name + "-restic").build();
        pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").withContainerStatuses(new ContainerStatusBuilder().withName("restic")
                .withNewState().withNewTerminated().withExitCode(0).withReason("Completed").endTerminated().endState().build()).build());
        c.pods().inNamespace(ns).resource(pod).create();
    }

    /**
     * A ReplicationSource whose last sync worked and whose mover VolSync has cleaned up: spec and
     * status as VolSync 0.16 writes them, its mover's log summary included (the largest field).
     */
    void addSourceWithoutMover(int index) {
        KubernetesClient c = api.client();
        String ns = namespace(c, "backups-", index);
        String name = "backup-" + index;
        Instant last = SOURCES_SYNCED.minusSeconds(index % 21_600);
        String snapshot = String.format("%08x", name.hashCode());
        String logs = String.join("\n",
                "using parent snapshot " + String.format("%08x", (name + "-parent").hashCode()),
                "Added to the repository: " + (index % 97) + ".512 MiB (" + (index % 31) + ".204 MiB stored)",
                "processed " + (1_000 + index) + " files, 2.118 GiB in 0:" + (10 + index % 50),
                "snapshot " + snapshot + " saved",
                "Applying Policy: keep 1 latest, 7 daily, 4 weekly, 6 monthly snapshots",
                "keep 18 snapshots:",
                "remove 1 snapshots:",
                "[0:00] 100.00%  1 / 1 files deleted",
                "Restic completed in " + (15 + index % 40) + "s");
        Map<String, Object> spec = Map.of("sourcePVC", name + "-data",
                "trigger", Map.of("schedule", (index % 60) + " */6 * * *"),
                "restic", Map.of("repository", name + "-restic", "copyMethod", "Snapshot", "pruneIntervalDays", 14,
                        "retain", Map.of("daily", 7, "weekly", 4, "monthly", 6), "cacheCapacity", "1Gi", "storageClassName", "ceph-block",
                        "volumeSnapshotClassName", "csi-ceph-blockpool",
                        "moverSecurityContext", Map.of("runAsUser", 568, "runAsGroup", 568, "fsGroup", 568)));
        Map<String, Object> status = Map.of("lastSyncTime", last.toString(), "lastSyncDuration", (15 + index % 40) + ".402s",
                "nextSyncTime", last.plusSeconds(21_600).toString(), "lastSyncStartTime", last.minusSeconds(30).toString(),
                "conditions", List.of(Map.of("type", "Synchronizing", "status", "False", "reason", "WaitingForSchedule",
                        "message", "Waiting for next scheduled synchronization", "lastTransitionTime", last.toString())),
                "latestMoverStatus", Map.of("result", "Successful", "logs", logs));
        VolSyncObjects.createWithStatus(c, ClusterVerticle.REPLICATION_SOURCES,
                VolSyncObjects.resource(ClusterVerticle.REPLICATION_SOURCES, ns, name, spec, status));
    }

    /** The namespace of the index-th object, APPS_PER_NAMESPACE to a namespace, made by its first object. */
    private static String namespace(KubernetesClient c, String prefix, int index) {
        String ns = prefix + (index / APPS_PER_NAMESPACE);
        if (index % APPS_PER_NAMESPACE == 0) {
            VolSyncWorld.ensureNamespace(c, ns);
        }
        return ns;
    }

    /** The floor: how soon any client of this JVM hears of a pod write, with nothing else to do. */
    void startFloor() {
        floor = api.client().pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                seen(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                seen(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknown) {
            }
        });
    }

    /**
     * One pod write the floor hears of before anything is measured: a client's first watch event is slow (fabric8 finds every
     * kind on the class path then), and the floor is the warm path. Not a mover: the hub's informers never list it.
     */
    void warmFloor() {
        api.client().pods().inNamespace(FLOOR_WARM_UP).resource(new PodBuilder().withNewMetadata().withName(FLOOR_WARM_UP)
                .withNamespace(FLOOR_WARM_UP).endMetadata().build()).create();
    }

    /**
     * The requests the hub makes when it connects and for a failure, once each, before the hub starts: the mock server's first
     * answer of each kind is slow (its classes load, its code is cold), where a real API server is warm. By this JVM's own
     * client, whose requests are not counted as the hub's; what it writes the hub never lists: a plain pod's log, a Job and an
     * Event without VolSync's labels.
     */
    void warmServer() {
        KubernetesClient c = api.client();
        // The lists the hub makes when it connects: the mock's first answers (its JSON paths) are the slowest.
        c.pods().inAnyNamespace().withLabel("app.kubernetes.io/created-by", "volsync").list();
        c.batch().v1().jobs().inAnyNamespace().withLabel("app.kubernetes.io/created-by", "volsync").list();
        c.genericKubernetesResources(ClusterVerticle.REPLICATION_SOURCES).inAnyNamespace().list();
        c.resources(VolSyncMonitor.class).inAnyNamespace().list();
        Pod pod = c.pods().inNamespace(FLOOR_WARM_UP).withName(FLOOR_WARM_UP).get();
        api.setLog(FLOOR_WARM_UP, FLOOR_WARM_UP, "warm");
        c.pods().inNamespace(FLOOR_WARM_UP).withName(FLOOR_WARM_UP).tailingLines(5).getLog();
        Job job = c.batch().v1().jobs().inNamespace(FLOOR_WARM_UP).resource(new JobBuilder()
                .withNewMetadata().withName(FLOOR_WARM_UP).withNamespace(FLOOR_WARM_UP).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("warm").withImage("warm").endContainer()
                .withRestartPolicy("Never").endSpec().endTemplate().endSpec().build()).create();
        c.batch().v1().jobs().inNamespace(FLOOR_WARM_UP).withName(job.getMetadata().getName()).delete();
        c.v1().events().inNamespace(FLOOR_WARM_UP).resource(new EventBuilder().withNewMetadata()
                .withGenerateName(FLOOR_WARM_UP).withNamespace(FLOOR_WARM_UP).endMetadata().withReason("Warm")
                .withNewInvolvedObject().withKind("Pod").withName(pod.getMetadata().getName()).withNamespace(FLOOR_WARM_UP).endInvolvedObject()
                .build()).create();
    }

    boolean floorWarm() {
        return floorWarm;
    }

    private void seen(Pod pod) {
        long now = System.nanoTime();
        if (FLOOR_WARM_UP.equals(pod.getMetadata().getName())) {
            floorWarm = true;
        }
        if (pod.getStatus() != null && "Failed".equals(pod.getStatus().getPhase())) {
            floorSeen.putIfAbsent(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName(), now);
        }
    }

    boolean floorSynced() {
        return floor != null && floor.hasSynced();
    }

    @Override
    public void close() {
        if (floor != null) {
            floor.close();
        }
        api.close();
    }
}

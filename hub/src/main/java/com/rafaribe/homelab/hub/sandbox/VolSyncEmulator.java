package com.rafaribe.homelab.hub.sandbox;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What VolSync's controller does with a restic ReplicationSource, as far as the hub can see it:
 * a mover Job {@code volsync-src-<name>} shaped like VolSync's (labels, owner reference, one
 * container "restic" running entry.sh, env from the repository Secret by secretKeyRef, the data
 * and cache PVCs), created again on every sync (on schedule, or when {@code spec.trigger.manual}
 * changes); after {@value #BACKOFF_LIMIT} failed pods the newest pod's log tail goes into
 * {@code status.latestMoverStatus} and the Job is deleted, to be created again. The
 * NFS {@code repository} volume is what a home lab's admission policy adds to every mover.
 */
public final class VolSyncEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(VolSyncEmulator.class);
    public static final ResourceDefinitionContext REPLICATION_SOURCES = new ResourceDefinitionContext.Builder()
            .withGroup("volsync.backube").withVersion("v1alpha1").withKind("ReplicationSource").withPlural("replicationsources")
            .withNamespaced(true).build();
    static final int BACKOFF_LIMIT = 8;
    static final String IMAGE = "quay.io/backube/volsync:0.16.0";

    private final KubernetesClient client;
    private final String nfsServer;
    private final String nfsPath;
    private final Duration interval;
    private final ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-volsync");
        t.setDaemon(true);
        return t;
    });

    public VolSyncEmulator(KubernetesClient client, String nfsServer, String nfsPath, Duration interval) {
        this.client = client;
        this.nfsServer = nfsServer;
        this.nfsPath = nfsPath;
        this.interval = interval;
        ticks.scheduleWithFixedDelay(this::sync, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** One reconcile of every ReplicationSource; VolSync is level-triggered too. */
    private void sync() {
        try {
            for (GenericKubernetesResource rs : client.genericKubernetesResources(REPLICATION_SOURCES).inAnyNamespace().list().getItems()) {
                reconcile(rs);
            }
        } catch (RuntimeException e) {
            LOG.debug("sandbox volsync: {}", e.getMessage());
        }
    }

    @SuppressWarnings("unchecked")
    private void reconcile(GenericKubernetesResource rs) {
        String ns = rs.getMetadata().getNamespace();
        String name = "volsync-src-" + rs.getMetadata().getName();
        Job job = client.batch().v1().jobs().inNamespace(ns).withName(name).get();
        Map<String, Object> status = rs.getAdditionalProperties().get("status") instanceof Map<?, ?> m
                ? new LinkedHashMap<>((Map<String, Object>) m) : new LinkedHashMap<>();
        Object manual = manualTrigger(rs);
        boolean paused = Boolean.TRUE.equals(spec(rs).get("paused"));
        if (job != null && (job.getSpec().getParallelism() == null || job.getSpec().getParallelism() > 0) == paused) {
            // As VolSync does: a paused source's Job runs no pod (parallelism 0) until it is resumed.
            client.batch().v1().jobs().inNamespace(ns).withName(name).edit(j -> {
                j.getSpec().setParallelism(paused ? 0 : 1);
                return j;
            });
            return;
        }
        if (job == null) {
            if (!paused && due(status, manual)) {
                client.batch().v1().jobs().inNamespace(ns).resource(moverJob(rs, name)).create();
            }
            return;
        }
        if (job.getStatus() == null) {
            return;
        }
        boolean succeeded = job.getStatus().getSucceeded() != null && job.getStatus().getSucceeded() > 0;
        // VolSync gives up before Kubernetes marks the Job failed: it keeps the last log tail, deletes the Job and
        // creates it again on its next reconcile, as the sync is still due.
        boolean givenUp = job.getStatus().getFailed() != null && job.getStatus().getFailed() >= BACKOFF_LIMIT;
        if (succeeded || givenUp) {
            status.put("latestMoverStatus", Map.of("result", succeeded ? "Successful" : "Failed", "logs", tail(ns, job),
                    "time", Instant.now().toString()));
            if (succeeded) {
                status.put("lastSyncTime", Instant.now().toString());
                if (manual != null) {
                    status.put("lastManualSync", manual);
                }
            }
            writeStatus(rs, status);
            client.batch().v1().jobs().inNamespace(ns).withName(name).delete();
            if (givenUp) {
                LOG.info("sandbox volsync: {}/{} failed {} times: Job deleted, log kept in latestMoverStatus", ns, name, BACKOFF_LIMIT);
            }
        }
    }

    /** VolSync's {@code spec.trigger.manual}: when set, a sync runs each time it differs from {@code status.lastManualSync}. */
    @SuppressWarnings("unchecked")
    private static Object manualTrigger(GenericKubernetesResource rs) {
        return ((Map<String, Object>) spec(rs).getOrDefault("trigger", Map.of())).get("manual");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(GenericKubernetesResource rs) {
        return (Map<String, Object>) rs.getAdditionalProperties().getOrDefault("spec", Map.of());
    }

    private boolean due(Map<String, Object> status, Object manual) {
        if (manual != null) {
            return !manual.equals(status.get("lastManualSync"));
        }
        Object last = status.get("lastSyncTime");
        return last == null || Instant.parse(String.valueOf(last)).plus(interval).isBefore(Instant.now());
    }

    private void writeStatus(GenericKubernetesResource rs, Map<String, Object> status) {
        GenericKubernetesResource current = client.genericKubernetesResources(REPLICATION_SOURCES)
                .inNamespace(rs.getMetadata().getNamespace()).withName(rs.getMetadata().getName()).get();
        current.setAdditionalProperty("status", status);
        client.genericKubernetesResources(REPLICATION_SOURCES).inNamespace(rs.getMetadata().getNamespace()).resource(current).updateStatus();
    }

    /** The newest pod's log, its last 1024 bytes, as VolSync keeps it. */
    private String tail(String ns, Job job) {
        List<Pod> pods = new ArrayList<>(client.pods().inNamespace(ns).withLabel("controller-uid", job.getMetadata().getUid()).list().getItems());
        pods.sort(Comparator.comparing(p -> p.getMetadata().getCreationTimestamp() == null ? "" : p.getMetadata().getCreationTimestamp()));
        if (pods.isEmpty()) {
            return "";
        }
        String log = client.pods().inNamespace(ns).withName(pods.get(pods.size() - 1).getMetadata().getName()).getLog();
        return log == null ? "" : log.length() <= 1024 ? log : log.substring(log.length() - 1024);
    }

    @SuppressWarnings("unchecked")
    private Job moverJob(GenericKubernetesResource rs, String name) {
        Map<String, Object> spec = (Map<String, Object>) rs.getAdditionalProperties().getOrDefault("spec", Map.of());
        Map<String, Object> restic = (Map<String, Object>) spec.getOrDefault("restic", Map.of());
        String secret = String.valueOf(restic.get("repository"));
        String pvc = String.valueOf(spec.get("sourcePVC"));
        List<EnvVar> env = new ArrayList<>(List.of(secretEnv("RESTIC_REPOSITORY", secret, false), secretEnv("RESTIC_PASSWORD", secret, false),
                secretEnv("AWS_ACCESS_KEY_ID", secret, true), secretEnv("AWS_SECRET_ACCESS_KEY", secret, true),
                new EnvVar("DATA_DIR", "/data", null), new EnvVar("RESTIC_CACHE_DIR", "/cache", null),
                new EnvVar("PRIVILEGED_MOVER", "0", null), new EnvVar("FORGET_OPTIONS", "--keep-last 7", null)));
        Map<String, String> labels = Map.of("app.kubernetes.io/created-by", "volsync");
        return new JobBuilder()
                .withNewMetadata().withName(name).withNamespace(rs.getMetadata().getNamespace())
                    .withLabels(Map.of("app.kubernetes.io/created-by", "volsync", "volsync.backube/cleanup", rs.getMetadata().getUid()))
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("volsync.backube/v1alpha1").withKind("ReplicationSource")
                            .withName(rs.getMetadata().getName()).withUid(rs.getMetadata().getUid()).withController(true)
                            .withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec().withBackoffLimit(BACKOFF_LIMIT).withNewTemplate()
                    .withNewMetadata().withLabels(labels).endMetadata()
                    .withNewSpec().withRestartPolicy("Never").withServiceAccountName(name)
                        .addNewContainer().withName("restic").withImage(IMAGE).withCommand(PodRunner.MOVER_ENTRYPOINT).withArgs("backup")
                            .withEnv(env)
                            .withNewSecurityContext().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                            .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                            .addNewVolumeMount().withName("cache").withMountPath("/cache").endVolumeMount()
                            .addNewVolumeMount().withName("tempdir").withMountPath("/tmp").endVolumeMount()
                            .addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount()
                        .endContainer()
                        .addNewVolume().withName("data").withNewPersistentVolumeClaim(pvc, false).endVolume()
                        .addNewVolume().withName("cache").withNewPersistentVolumeClaim(name + "-cache", false).endVolume()
                        .addNewVolume().withName("tempdir").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                        .addNewVolume().withName("repository").withNewNfs(nfsPath, false, nfsServer).endVolume()
                    .endSpec()
                .endTemplate().endSpec().build();
    }

    private static EnvVar secretEnv(String name, String secret, boolean optional) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(name, secret, optional ? true : null)
                .endValueFrom().build();
    }

    @Override
    public void close() {
        ticks.shutdownNow();
    }
}

package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.cluster.ClusterVerticle;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Acts the parts of VolSync, the kubelet and the Job controller on a {@link TestCluster}: mover Jobs whose pods fail with a given log. */
public final class VolSyncWorld {
    public static final String LOCK_LOG_TEMPLATE = String.join("\n",
            "Starting container",
            "VolSync restic container version: v0.16.0",
            "backup",
            "restic 0.18.1 compiled with go1.25.7 on linux/amd64",
            "Testing mandatory env variables",
            "== Checking directory for content ===",
            "=== Check for dir initialized ===",
            "unable to create lock in backend: repository is already locked exclusively by PID 31 on %s by  (UID 568, GID 568)",
            "lock was created at 2026-11-26 11:30:06 (%s ago)",
            "storage ID 3335e539",
            "the `unlock` command can be used to remove stale locks",
            "ERROR: failure locking repository", "");
    public static final String WRONG_PASSWORD_LOG = String.join("\n",
            "Starting container", "=== Check for dir initialized ===", "Fatal: wrong password or no key found", "",
            "ERROR: failure connecting to repository, incorrect password", "");

    private VolSyncWorld() {
    }

    public static String lockLog(String holderHost, String age) {
        return String.format(LOCK_LOG_TEMPLATE, holderHost, age);
    }

    public record Mover(Job job, Pod pod) {
        public String namespace() {
            return pod.getMetadata().getNamespace();
        }
    }

    /** A ReplicationSource's mover Job and one pod of it that failed with {@code log}. */
    public static Mover failMover(SandboxApiServer cluster, String namespace, String app, String podSuffix, String secret, String log) {
        return failMover(new MockCluster(cluster), namespace, app, podSuffix, secret, log);
    }

    public static Mover failMover(TestCluster cluster, String namespace, String app, String podSuffix, String secret, String log) {
        return failMover(cluster, cluster.client(), namespace, app, podSuffix, secret, log);
    }

    /**
     * The same, through a client of the test's choice (a back door while the cluster's own server
     * is down). The Job is created finished (Failed, parallelism 0), as VolSync's is after its
     * pods failed: a real Job controller then leaves the pods the test makes alone. The pod is on
     * the cluster's log Node, and its status is written through pods/status, as a kubelet does.
     */
    public static Mover failMover(TestCluster cluster, KubernetesClient c, String namespace, String app, String podSuffix, String secret,
                                  String log) {
        return failMover(cluster, c, namespace, app, podSuffix, secret, log, null);
    }

    /** With the repository on this NFS export, mounted at /repository as home labs inject it: pods of other namespaces may share it. */
    public static Mover failMoverOnNfs(TestCluster cluster, String namespace, String app, String podSuffix, String secret, String log, String nfsPath) {
        return failMover(cluster, cluster.client(), namespace, app, podSuffix, secret, log, nfsPath);
    }

    /** With the mover pod changed by {@code shape} before it is created (a volume of its own, say). */
    public static Mover failMoverShaped(TestCluster cluster, String namespace, String app, String podSuffix, String secret, String log,
                                        java.util.function.Consumer<Pod> shape) {
        return failMover(cluster, cluster.client(), namespace, app, podSuffix, secret, log, null, shape);
    }

    private static Mover failMover(TestCluster cluster, KubernetesClient c, String namespace, String app, String podSuffix, String secret,
                                   String log, String nfsPath) {
        return failMover(cluster, c, namespace, app, podSuffix, secret, log, nfsPath, pod -> { });
    }

    private static Mover failMover(TestCluster cluster, KubernetesClient c, String namespace, String app, String podSuffix, String secret,
                                   String log, String nfsPath, java.util.function.Consumer<Pod> shape) {
        ensureNamespace(c, namespace);
        String jobName = VolSyncObjects.sourceJobName(app);
        Job job = c.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
        if (job == null) {
            job = VolSyncObjects.sourceJob(namespace, app, replicationSourceUid(c, namespace, app), null);
            job.getMetadata().setUid(null);
            job.getSpec().setParallelism(0);
            job = c.batch().v1().jobs().inNamespace(namespace).resource(job).create();
            writeStatus(c, job, new JobStatusBuilder().withFailed(1).addNewCondition().withType("Failed").withStatus("True")
                    .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit").endCondition().build());
        }
        Pod pod = VolSyncObjects.sourcePod(job, podSuffix, null, secret).build();
        if (nfsPath != null) {
            VolSyncObjects.mountNfsRepository(pod, nfsPath);
        }
        pod.getSpec().setNodeName(cluster.logNode());
        shape.accept(pod);
        pod = c.pods().inNamespace(namespace).resource(pod).create();
        if (log != null) {
            cluster.setLog(namespace, pod.getMetadata().getName(), log);
        }
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName("restic").withNewState().withNewTerminated()
                        .withExitCode(log != null && log.contains("failure locking") ? 3 : 1).withReason("Error").endTerminated().endState().build())
                .build());
        pod = c.pods().inNamespace(namespace).resource(pod).updateStatus();
        return new Mover(job, pod);
    }

    /** The app's ReplicationSource, made when missing: a real garbage collector deletes a Job whose owner does not exist. */
    public static String replicationSourceUid(KubernetesClient c, String namespace, String app) {
        var sources = c.genericKubernetesResources(ClusterVerticle.REPLICATION_SOURCES).inNamespace(namespace);
        GenericKubernetesResource rs = sources.withName(app).get();
        if (rs == null) {
            rs = new GenericKubernetesResource();
            rs.setApiVersion("volsync.backube/v1alpha1");
            rs.setKind("ReplicationSource");
            rs.setMetadata(new ObjectMetaBuilder().withName(app).withNamespace(namespace).build());
            rs.setAdditionalProperty("spec", Map.of("sourcePVC", app + "-data", "restic", Map.of("repository", app + "-restic")));
            rs = sources.resource(rs).create();
        }
        return rs.getMetadata().getUid();
    }

    public static void ensureNamespace(KubernetesClient c, String namespace) {
        if (c.namespaces().withName(namespace).get() == null) {
            c.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build()).create();
        }
    }

    /** Plays the Job controller for an unlock Job: it succeeded, or failed. */
    public static void finishJob(SandboxApiServer cluster, Job job, boolean succeeded) {
        finishJob(new MockCluster(cluster), job, succeeded);
    }

    /**
     * The Job first, so that a real Job controller leaves it alone from then on; then the pods it
     * made (on a real cluster), as their kubelet would report them: a finished unlock uses the
     * repository no more.
     */
    public static void finishJob(TestCluster cluster, Job job, boolean succeeded) {
        KubernetesClient c = cluster.client();
        writeStatus(c, job, succeeded
                ? new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build()
                : new JobStatusBuilder().withFailed(3).addNewCondition().withType("Failed").withStatus("True")
                .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit").endCondition().build());
        String ns = job.getMetadata().getNamespace();
        for (Pod pod : c.pods().inNamespace(ns).withLabel("controller-uid", job.getMetadata().getUid()).list().getItems()) {
            pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase(succeeded ? "Succeeded" : "Failed").build());
            c.pods().inNamespace(ns).resource(pod).updateStatus();
        }
    }

    /** Through the status subresource, as the Job controller writes; again on a conflict with it. */
    private static void writeStatus(KubernetesClient c, Job job, JobStatus status) {
        for (int attempt = 1; ; attempt++) {
            Job current = c.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).get();
            current.setStatus(status);
            try {
                c.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(current).updateStatus();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    public static VolSyncMonitor applyMonitor(SandboxApiServer cluster, String yaml) {
        return applyMonitor(new MockCluster(cluster), yaml);
    }

    public static VolSyncMonitor applyMonitor(TestCluster cluster, String yaml) {
        try {
            VolSyncMonitor monitor = MonitorYaml.parseAll(yaml).get(0);
            ensureNamespace(cluster.client(), monitor.getMetadata().getNamespace());
            return cluster.client().resources(VolSyncMonitor.class).inNamespace(monitor.getMetadata().getNamespace())
                    .resource(monitor).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The monitor most tests use: volsync-monitor in the hub's trusted namespace, with this spec (YAML flow style). */
    public static VolSyncMonitor applyHubMonitor(SandboxApiServer cluster, String spec) {
        return applyHubMonitor(new MockCluster(cluster), spec);
    }

    public static VolSyncMonitor applyHubMonitor(TestCluster cluster, String spec) {
        return applyMonitor(cluster, "apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\n"
                + "metadata: {name: volsync-monitor, namespace: homelab-assistant-system}\nspec: " + spec + "\n");
    }

    public static VolSyncMonitor monitor(SandboxApiServer cluster, String namespace, String name) {
        return monitor(cluster.client(), namespace, name);
    }

    public static VolSyncMonitor monitor(TestCluster cluster, String namespace, String name) {
        return monitor(cluster.client(), namespace, name);
    }

    public static VolSyncMonitor monitor(KubernetesClient client, String namespace, String name) {
        return client.resources(VolSyncMonitor.class).inNamespace(namespace).withName(name).get();
    }
}

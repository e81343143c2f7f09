package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/** Acts the parts of VolSync and the Job controller on a {@link SandboxApiServer}: mover Jobs whose pods fail with a given log. */
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
        return failMover(cluster, cluster.client(), namespace, app, podSuffix, secret, log);
    }

    /** The same, through a client of the test's choice (a back door while the cluster's own server is down). */
    public static Mover failMover(SandboxApiServer cluster, KubernetesClient c, String namespace, String app, String podSuffix, String secret,
                                  String log) {
        String jobName = VolSyncObjects.sourceJobName(app);
        Job job = c.batch().v1().jobs().inNamespace(namespace).withName(jobName).get();
        if (job == null) {
            job = VolSyncObjects.sourceJob(namespace, app, UUID.randomUUID().toString(), null);
            job.getMetadata().setUid(null);
            job = c.batch().v1().jobs().inNamespace(namespace).resource(job).create();
        }
        Pod pod = VolSyncObjects.sourcePod(job, podSuffix, null, secret).build();
        pod = c.pods().inNamespace(namespace).resource(pod).create();
        if (log != null) {
            cluster.setLog(namespace, pod.getMetadata().getName(), log);
        }
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName("restic").withNewState().withNewTerminated()
                        .withExitCode(log != null && log.contains("failure locking") ? 3 : 1).withReason("Error").endTerminated().endState().build())
                .build());
        pod = c.pods().inNamespace(namespace).resource(pod).update();
        return new Mover(job, pod);
    }

    /** Plays the Job controller for an unlock Job: it succeeded, or failed. */
    public static void finishJob(SandboxApiServer cluster, Job job, boolean succeeded) {
        Job current = cluster.client().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).withName(job.getMetadata().getName()).get();
        current.setStatus(succeeded ? new JobStatusBuilder().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True").endCondition().build()
                : new JobStatusBuilder().withFailed(3).addNewCondition().withType("Failed").withStatus("True")
                .withReason("BackoffLimitExceeded").withMessage("Job has reached the specified backoff limit").endCondition().build());
        cluster.client().batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(current).update();
    }

    public static VolSyncMonitor applyMonitor(SandboxApiServer cluster, String yaml) {
        try {
            VolSyncMonitor monitor = MonitorYaml.parseAll(yaml).get(0);
            return cluster.client().resources(VolSyncMonitor.class).inNamespace(monitor.getMetadata().getNamespace())
                    .resource(monitor).create();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The monitor most tests use: volsync-monitor in the hub's trusted namespace, with this spec (YAML flow style). */
    public static VolSyncMonitor applyHubMonitor(SandboxApiServer cluster, String spec) {
        return applyMonitor(cluster, "apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\n"
                + "metadata: {name: volsync-monitor, namespace: homelab-assistant-system}\nspec: " + spec + "\n");
    }

    public static VolSyncMonitor monitor(SandboxApiServer cluster, String namespace, String name) {
        return cluster.client().resources(VolSyncMonitor.class).inNamespace(namespace).withName(name).get();
    }
}

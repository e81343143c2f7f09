package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;

/**
 * One unlock, from the failed pod to the unlock Job's success, on a life cycle of its own that
 * nothing else sees: the first failure of a process loads and links about 270 classes and lambdas
 * (the life cycle and its books, the detector, the holder rule, the unlock Job's factory), which the
 * benchmark's first wave paid, five failures at once. Pure: the actions it returns are not carried
 * out, and what the life cycle logs on the way is about a made-up cluster (the hub's logging drops
 * it on the warm-up thread).
 */
public final class PolicyWarmUp {
    /** The made-up cluster's name, and its namespace's: the monitor's (trusted) and the failed mover's. */
    static final String WARM_UP = "warm-up";
    static final String LOCK_LOG = """
            Starting container
            VolSync restic container version: unknown
            backup
            restic 0.18.1 compiled with go1.24 on linux/amd64
            Fatal: unable to create lock in backend: repository is already locked by PID 21 on volsync-src-warm-up-a1b2c by root (UID 0, GID 0)
            lock was created at 2026-01-01 00:00:00 (1h0m0s ago)
            storage ID 1a2b3c4d
            the `unlock` command can be used to remove stale locks
            ERROR: failure during backup
            """;
    private static final String MONITOR = """
            apiVersion: homelab.rafaribe.com/v1alpha1
            kind: VolSyncMonitor
            metadata: {name: warm-up, namespace: warm-up, uid: warm-up, generation: 1}
            spec: {enabled: true}
            """;

    private PolicyWarmUp() {
    }

    /** @return every action the life cycle asked for, in order; among them the unlock Job's create */
    public static List<PolicyAction> unlockOnce(Instant now) {
        UnlockLifecycle life = new UnlockLifecycle(new TrustedNamespaces(Set.of(WARM_UP)), java.time.Duration.ofMinutes(1));
        List<PolicyAction> all = new ArrayList<>();
        Deque<PolicyAction> pending = new ArrayDeque<>();
        life.monitorsChanged(WARM_UP, List.of(monitor()), now, pending::add);
        life.clusterSynced(WARM_UP, now, pending::add);
        Pod pod = moverPod();
        life.moverFailed(WARM_UP, pod, FailedMover.of(pod, null), pod.getMetadata().getLabels(), null, now, pending::add);
        // Each action answered as its adapter would, the answers' actions after it, until nothing is asked.
        while (!pending.isEmpty()) {
            PolicyAction action = pending.poll();
            all.add(action);
            if (action instanceof PolicyAction.ReadEvidence a) {
                life.detected(WARM_UP, a.podUid(), a.detector().examine(LOCK_LOG), now, pending::add);
            } else if (action instanceof PolicyAction.FindHolder a) {
                life.holderAnswered(a.recordKey(), WARM_UP, List.of(), now, pending::add);
            } else if (action instanceof PolicyAction.CreateJob a) {
                life.jobCreateAnswered(a.recordKey(), false, null, now, pending::add);
                Job succeeded = new JobBuilder(a.job()).editMetadata().withUid("warm-up-unlock").withCreationTimestamp(now.toString())
                        .endMetadata().withNewStatus().withSucceeded(1).addNewCondition().withType("Complete").withStatus("True")
                        .endCondition().endStatus().build();
                life.unlockJobChanged(WARM_UP, succeeded, List.of(), false, now, pending::add);
            }
        }
        return all;
    }

    private static VolSyncMonitor monitor() {
        try {
            return MonitorYaml.parseAll(MONITOR).get(0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A failed mover pod of the shape VolSync makes: the restic Secret by reference, data and cache claims, a scratch dir. */
    static Pod moverPod() {
        return new PodBuilder()
                .withNewMetadata().withName("volsync-src-warm-up-b2c3d").withNamespace(WARM_UP).withUid("warm-up")
                    .withCreationTimestamp("2026-01-01T00:00:00Z")
                    .addToLabels("app.kubernetes.io/created-by", "volsync").addToLabels("job-name", "volsync-src-warm-up")
                    .addNewOwnerReference().withApiVersion("batch/v1").withKind("Job").withName("volsync-src-warm-up")
                        .withUid("warm-up-job").withController(true).endOwnerReference()
                .endMetadata()
                .withNewSpec().withRestartPolicy("Never").withServiceAccountName("volsync-src-warm-up")
                    .withNewSecurityContext().withRunAsUser(568L).withFsGroup(568L).endSecurityContext()
                    .addNewContainer().withName("restic").withImage("quay.io/backube/volsync:0.16.0")
                        .withCommand("/mover-restic/entry.sh").withArgs("backup")
                        .addNewEnv().withName("RESTIC_REPOSITORY").withNewValueFrom().withNewSecretKeyRef("RESTIC_REPOSITORY", "warm-up", false)
                            .endValueFrom().endEnv()
                        .addNewEnv().withName("DATA_DIR").withValue("/data").endEnv()
                        .addNewEnvFrom().withNewSecretRef().withName("warm-up").endSecretRef().endEnvFrom()
                        .withNewSecurityContext().withAllowPrivilegeEscalation(false).withNewCapabilities().withDrop("ALL")
                            .endCapabilities().endSecurityContext()
                        .addNewVolumeMount().withName("data").withMountPath("/data").endVolumeMount()
                        .addNewVolumeMount().withName("cache").withMountPath("/cache").endVolumeMount()
                        .addNewVolumeMount().withName("tempdir").withMountPath("/tmp").endVolumeMount()
                    .endContainer()
                    .addNewVolume().withName("data").withNewPersistentVolumeClaim("warm-up-data", true).endVolume()
                    .addNewVolume().withName("cache").withNewPersistentVolumeClaim("warm-up-cache", false).endVolume()
                    .addNewVolume().withName("tempdir").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                .endSpec()
                .withNewStatus().withPhase("Failed").addNewContainerStatus().withName("restic").withNewState().withNewTerminated()
                    .withExitCode(1).withFinishedAt("2026-01-01T01:00:00Z").endTerminated().endState().endContainerStatus().endStatus()
                .build();
    }
}

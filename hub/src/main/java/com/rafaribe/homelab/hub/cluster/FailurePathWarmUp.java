package com.rafaribe.homelab.hub.cluster;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.LockDetector;
import com.rafaribe.homelab.hub.policy.LockVerdict;
import com.rafaribe.homelab.hub.policy.MonitorPolicy;
import com.rafaribe.homelab.hub.policy.MonitorValidator;
import com.rafaribe.homelab.hub.policy.RepositoryKey;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import com.rafaribe.homelab.hub.policy.UnlockJobFactory;
import com.rafaribe.homelab.hub.policy.UnlockRequest;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.time.Instant;

/**
 * Runs once, at start-up and on the worker pool, the code a lock failure runs and nothing else
 * runs before it: the detector on a lock, a monitor's validation, building an unlock Job, and Jackson
 * writing that Job and an Event (the first write of a type builds its serializers). On a cold JVM
 * that took about 150 ms of CPU, which the first failures paid, five at once in the benchmark's first
 * wave (300-360 ms against 60-100 ms for later ones). Nothing is sent anywhere.
 */
final class FailurePathWarmUp {
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
            metadata: {name: warm-up, namespace: warm-up}
            spec: {}
            """;

    private FailurePathWarmUp() {
    }

    /** @return the unlock Job it built, for tests */
    static Job run(KubernetesSerialization serialization) throws IOException {
        LockVerdict verdict = LockDetector.BUILT_IN.examine(LOCK_LOG);
        MonitorPolicy monitor = MonitorValidator.validate(MonitorYaml.parseAll(MONITOR).get(0), UnlockAllowList.MOVER_ONLY).policy();
        Pod pod = moverPod();
        Job job = UnlockJobFactory.build(new UnlockRequest("warm-up", pod, FailedMover.of(pod, null), monitor, verdict,
                RepositoryKey.of("warm-up", pod)));
        serialization.asJson(job);
        serialization.asJson(EventRecorder.event("warm-up", "warm-up", new ObjectReferenceBuilder().withKind("Pod").withName("warm-up")
                .withNamespace("warm-up").build(), "Warning", "LockDetected", verdict.toString(), Instant.now()));
        return job;
    }

    /** A failed mover pod of the shape VolSync makes: the restic Secret by reference, data and cache claims, a scratch dir. */
    private static Pod moverPod() {
        return new PodBuilder()
                .withNewMetadata().withName("volsync-src-warm-up-b2c3d").withNamespace("warm-up").withUid("warm-up")
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
                .withNewStatus().withPhase("Failed").endStatus()
                .build();
    }
}

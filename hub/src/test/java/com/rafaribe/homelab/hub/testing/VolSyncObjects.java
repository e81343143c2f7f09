package com.rafaribe.homelab.hub.testing;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Mover Jobs and pods shaped exactly as VolSync 0.16's restic mover makes them
 * (internal/controller/mover/restic/mover.go in VolSync's sources).
 */
public final class VolSyncObjects {
    public static final String IMAGE = "quay.io/backube/volsync:0.16.0";

    private VolSyncObjects() {
    }

    /** VolSync names the Job volsync-src-<name>, or volsync-src-<crc32 of name> when that would pass 63 characters. */
    public static String sourceJobName(String replicationSource) {
        String name = "volsync-src-" + replicationSource;
        if (name.length() <= 63) {
            return name;
        }
        CRC32 crc = new CRC32();
        crc.update(replicationSource.getBytes());
        return "volsync-src-" + Long.toString(crc.getValue());
    }

    public static Job sourceJob(String namespace, String replicationSource, String rsUid, String jobUid) {
        String jobName = sourceJobName(replicationSource);
        return new JobBuilder()
                .withNewMetadata().withName(jobName).withNamespace(namespace).withUid(jobUid)
                    .withLabels(Map.of("app.kubernetes.io/created-by", "volsync", "volsync.backube/cleanup", rsUid))
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("volsync.backube/v1alpha1")
                            .withKind("ReplicationSource").withName(replicationSource).withUid(rsUid)
                            .withController(true).withBlockOwnerDeletion(true).build())
                .endMetadata()
                .withNewSpec().withBackoffLimit(8).withNewTemplate()
                    .withNewMetadata().addToLabels("app.kubernetes.io/created-by", "volsync").endMetadata()
                    .withSpec(moverPodSpec(replicationSource, replicationSource + "-restic")).endTemplate().endSpec()
                .build();
    }

    /** A failed mover pod of that Job, with the repository Secret referenced the way VolSync references it. */
    public static PodBuilder sourcePod(Job job, String podSuffix, String podUid, String repositorySecret) {
        String jobName = job.getMetadata().getName();
        String rs = job.getMetadata().getOwnerReferences().get(0).getName();
        return new PodBuilder()
                .withNewMetadata().withName(jobName + "-" + podSuffix).withNamespace(job.getMetadata().getNamespace()).withUid(podUid)
                    .withLabels(Map.of("app.kubernetes.io/created-by", "volsync", "job-name", jobName,
                            "batch.kubernetes.io/job-name", jobName, "controller-uid", job.getMetadata().getUid(),
                            "batch.kubernetes.io/controller-uid", job.getMetadata().getUid()))
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                            .withName(jobName).withUid(job.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withSpec(moverPodSpec(rs, repositorySecret));
    }

    /** An NFS export holding the repository, at /repository: the volume an admission policy injects in many home labs. */
    public static void mountNfsRepository(Pod pod, String path) {
        pod.getSpec().getVolumes().add(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("repository")
                .withNewNfs().withServer("truenas.example").withPath(path).endNfs().build());
        pod.getSpec().getContainers().get(0).getVolumeMounts().add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder()
                .withName("repository").withMountPath("/repository").build());
    }

    /** The mover pod's spec as VolSync writes it into the Job's template: the restic Secret by reference, data and cache PVCs. */
    static PodSpec moverPodSpec(String rs, String repositorySecret) {
        List<EnvVar> env = new ArrayList<>();
        env.add(secretEnv("RESTIC_REPOSITORY", repositorySecret, false));
        env.add(secretEnv("RESTIC_PASSWORD", repositorySecret, false));
        env.add(secretEnv("AWS_ACCESS_KEY_ID", repositorySecret, true));
        env.add(secretEnv("AWS_SECRET_ACCESS_KEY", repositorySecret, true));
        env.add(new EnvVar("DATA_DIR", "/data", null));
        env.add(new EnvVar("RESTIC_CACHE_DIR", "/cache", null));
        env.add(new EnvVar("FORGET_OPTIONS", "--keep-hourly 6 --keep-daily 5", null));
        env.add(new EnvVar("PRIVILEGED_MOVER", "0", null));
        return new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withServiceAccountName("volsync-src-" + rs)
                .withNewSecurityContext().withRunAsUser(568L).withRunAsGroup(568L).withFsGroup(568L).endSecurityContext()
                .addNewContainer()
                    .withName("restic").withImage(IMAGE).withImagePullPolicy("IfNotPresent")
                    .withCommand("/mover-restic/entry.sh").withArgs("backup")
                    .withEnv(env)
                    .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("10m")).endResources()
                    .withNewSecurityContext().withReadOnlyRootFilesystem(true).withAllowPrivilegeEscalation(false)
                        .withNewCapabilities().withDrop("ALL").endCapabilities().withRunAsUser(568L).endSecurityContext()
                    .addNewVolumeMount().withName("data").withMountPath("/data").withReadOnly(true).endVolumeMount()
                    .addNewVolumeMount().withName("cache").withMountPath("/cache").endVolumeMount()
                    .addNewVolumeMount().withName("tempdir").withMountPath("/tmp").endVolumeMount()
                .endContainer()
                .addNewVolume().withName("data").withNewPersistentVolumeClaim("volsync-" + rs + "-src", true).endVolume()
                .addNewVolume().withName("cache").withNewPersistentVolumeClaim("volsync-src-" + rs + "-cache", false).endVolume()
                .addNewVolume().withName("tempdir").withNewEmptyDir().withMedium("Memory").endEmptyDir().endVolume()
                .build();
    }

    /** The repository Secret with real-looking values, to prove none of them reaches an unlock Job. */
    public static Secret repositorySecret(String namespace, String name) {
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .withStringData(Map.of(
                        "RESTIC_REPOSITORY", "s3:https://minio.lan:9000/volsync/app",
                        "RESTIC_PASSWORD", "correct-horse-battery-staple",
                        "AWS_ACCESS_KEY_ID", "AKIAVOLSYNCEXAMPLE",
                        "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"))
                .build();
    }

    private static EnvVar secretEnv(String name, String secret, boolean optional) {
        return new EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef(name, secret, optional ? true : null)
                .endValueFrom().build();
    }

    /** A ReplicationSource or ReplicationDestination on a schedule, with the status VolSync writes after a sync. */
    public static GenericKubernetesResource backup(ResourceDefinitionContext type, String namespace, String name, String schedule,
                                                   Instant lastSync, String result, Instant resultTime) {
        return resource(type, namespace, name,
                Map.of("sourcePVC", name + "-data", "trigger", Map.of("schedule", schedule), "restic", Map.of("repository", name + "-restic")),
                Map.of("lastSyncTime", lastSync.toString(), "lastSyncDuration", "1m0s",
                        "latestMoverStatus", Map.of("result", result, "time", resultTime.toString())));
    }

    public static GenericKubernetesResource resource(ResourceDefinitionContext type, String namespace, String name, Map<String, Object> spec,
                                                     Map<String, Object> status) {
        GenericKubernetesResource r = new GenericKubernetesResource();
        r.setApiVersion(type.getGroup() + "/" + type.getVersion());
        r.setKind(type.getKind());
        r.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(namespace).build());
        r.setAdditionalProperty("spec", spec);
        r.setAdditionalProperty("status", status);
        return r;
    }

    /** A real API server drops the status of a create when the type has a status subresource: VolSync writes it next. */
    public static void createWithStatus(KubernetesClient client, ResourceDefinitionContext type, GenericKubernetesResource resource) {
        Object status = resource.getAdditionalProperties().get("status");
        var resources = client.genericKubernetesResources(type).inNamespace(resource.getMetadata().getNamespace());
        GenericKubernetesResource created = resources.resource(resource).create();
        created.setAdditionalProperty("status", status);
        resources.resource(created).updateStatus();
    }
}

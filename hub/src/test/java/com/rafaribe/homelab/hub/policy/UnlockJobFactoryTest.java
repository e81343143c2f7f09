package com.rafaribe.homelab.hub.policy;

import static com.rafaribe.homelab.hub.api.UnlockJobMetadata.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class UnlockJobFactoryTest {
    static final String NS = "media";
    static final String POD_UID = "0b6f3c0e-6a57-4a38-9d9b-3c2f9e1f5a01";
    static final String LOCK_LINE = "unable to create lock in backend: repository is already locked exclusively by PID 31 on "
            + "volsync-src-jellyfin-x7k2p by  (UID 568, GID 568)";

    final Job moverJob = VolSyncObjects.sourceJob(NS, "jellyfin", "rs-uid-1", "job-uid-1");

    static MonitorPolicy monitor(String spec) throws IOException {
        return monitor(spec, UnlockAllowList.MOVER_ONLY);
    }

    static MonitorPolicy monitor(String spec, UnlockAllowList allowed) throws IOException {
        String yaml = "apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\n"
                + "metadata: {name: volsync-monitor, namespace: homelab-assistant-system}\nspec:\n" + spec;
        MonitorValidator.Result r = MonitorValidator.validate(MonitorYaml.parseAll(yaml).get(0), allowed);
        assertThat(r.problems()).isEmpty();
        return r.policy();
    }

    static Job build(Pod pod, Job job, MonitorPolicy monitor, String line) {
        LockVerdict verdict = LockDetector.BUILT_IN.examine(line + "\nlock was created at 2026-11-26 11:30:06 (1m0s ago)\n");
        return UnlockJobFactory.build(new UnlockRequest("home", pod, FailedMover.of(pod, job), monitor, verdict,
                RepositoryKey.of("home", pod)));
    }

    Job buildDefault(Pod pod) throws IOException {
        return build(pod, moverJob, monitor("  enabled: true\n  ttlSecondsAfterFinished: 3600\n"), LOCK_LINE);
    }

    static Container container(Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    static Map<String, Volume> volumes(Job job) {
        return job.getSpec().getTemplate().getSpec().getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));
    }

    static Map<String, VolumeMount> mounts(Job job) {
        return container(job).getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getMountPath, Function.identity()));
    }

    static Map<String, EnvVar> env(Job job) {
        return container(job).getEnv().stream().collect(Collectors.toMap(EnvVar::getName, Function.identity()));
    }

    @Test
    void mirrorsAVolSync016MoverAndDropsItsDataVolume() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Job job = buildDefault(pod);

        assertThat(job.getMetadata().getName()).isEqualTo("volsync-unlock-jellyfin-" + RepositoryKey.sha256Hex(POD_UID).substring(0, 8));
        assertThat(job.getMetadata().getNamespace()).isEqualTo(NS);
        assertThat(job.getSpec().getBackoffLimit()).isEqualTo(2);
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        assertThat(spec.getRestartPolicy()).isEqualTo("Never");
        assertThat(spec.getServiceAccountName()).isEqualTo("volsync-src-jellyfin");
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(568L);
        assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(568L);

        Container c = container(job);
        assertThat(c.getImage()).isEqualTo(VolSyncObjects.IMAGE);
        assertThat(c.getCommand()).containsExactly("restic");
        assertThat(c.getArgs()).containsExactly("unlock", "--remove-all");
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getResources().getRequests()).containsEntry("cpu", new Quantity("10m"));

        assertThat(volumes(job)).doesNotContainKey("data").containsOnlyKeys("cache", "tempdir");
        assertThat(volumes(job).get("cache").getPersistentVolumeClaim()).as("the cache PVC may be RWO elsewhere").isNull();
        assertThat(volumes(job).get("cache").getEmptyDir()).isNotNull();
        assertThat(volumes(job).get("tempdir").getEmptyDir().getMedium()).isEqualTo("Memory");
        assertThat(mounts(job)).containsOnlyKeys("/cache", "/tmp");
    }

    @Test
    void envStaysAReferenceAndGetsTheOriginalControllersVariables() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Map<String, EnvVar> env = env(buildDefault(pod));
        assertThat(env.get("RESTIC_REPOSITORY").getValue()).isNull();
        assertThat(env.get("RESTIC_REPOSITORY").getValueFrom().getSecretKeyRef().getName()).isEqualTo("jellyfin-restic");
        assertThat(env.get("RESTIC_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("RESTIC_PASSWORD");
        assertThat(env.get("AWS_SECRET_ACCESS_KEY").getValueFrom().getSecretKeyRef().getOptional()).isTrue();
        assertThat(env.get("RESTIC_CACHE_DIR").getValue()).isEqualTo("/cache");
        assertThat(env.get(ENV_FAILED_JOB_NAME).getValue()).isEqualTo("volsync-src-jellyfin");
        assertThat(env.get(ENV_UNLOCK_OPERATION).getValue()).isEqualTo("true");
        assertThat(env.get(ENV_LOCK_ERROR).getValue()).isEqualTo(LOCK_LINE);
    }

    @Test
    void carriesTheHubsLabelsAndNeverTheMovers() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Job job = buildDefault(pod);
        Map<String, String> expected = Map.of(NAME_LABEL, "volsync-unlock", MANAGED_BY_LABEL, "volsync-monitor-hub",
                MONITOR_LABEL, "volsync-monitor", MONITOR_NAMESPACE_LABEL, "homelab-assistant-system",
                FAILED_JOB_LABEL, "volsync-src-jellyfin");
        assertThat(job.getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsExactlyInAnyOrderEntriesOf(expected)
                .doesNotContainKeys("app.kubernetes.io/created-by", "volsync.backube/cleanup", "job-name", "controller-uid");
    }

    @Test
    void annotationsSayWhichFailedPodItServesAndWhy() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Map<String, String> a = buildDefault(pod).getMetadata().getAnnotations();
        assertThat(a).containsEntry(FAILED_JOB, "volsync-src-jellyfin")
                .containsEntry(FAILED_JOB_UID, "job-uid-1")
                .containsEntry(FAILED_POD, "volsync-src-jellyfin-x7k2p")
                .containsEntry(FAILED_POD_UID, POD_UID)
                .containsEntry(APP, "ReplicationSource/jellyfin")
                .containsEntry(CLUSTER, "home")
                .containsEntry(MONITOR, "homelab-assistant-system/volsync-monitor")
                .containsEntry(DECIDED_BY, "already-locked")
                .containsEntry(MATCHED_LINE, LOCK_LINE)
                .containsEntry(HOLDER, "volsync-src-jellyfin-x7k2p (PID 31, UID 568, exclusive)")
                .containsEntry(REPOSITORY_KEY, "home/media/secret:jellyfin-restic#RESTIC_REPOSITORY");
    }

    @Test
    void keepsAnNfsRepositoryVolumeInjectedByAnAdmissionPolicy() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").editSpec()
                .addNewVolume().withName("repository").withNewNfs("/mnt/storage-0/volsync", false, "truenas.example").endVolume()
                .editFirstContainer().addNewVolumeMount().withName("repository").withMountPath("/repository").endVolumeMount().endContainer()
                .endSpec().build();
        Job job = buildDefault(pod);
        assertThat(volumes(job).get("repository").getNfs().getServer()).isEqualTo("truenas.example");
        assertThat(volumes(job).get("repository").getNfs().getPath()).isEqualTo("/mnt/storage-0/volsync");
        assertThat(mounts(job)).containsKey("/repository");
        assertThat(job.getMetadata().getAnnotations().get(REPOSITORY_KEY))
                .isEqualTo("home/media/secret:jellyfin-restic#RESTIC_REPOSITORY/nfs:truenas.example:/mnt/storage-0/volsync");
    }

    @Test
    void keepsMoverVolumesHostPathAndCustomCaWithSubPathAndReadOnly() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").editSpec()
                .addNewVolume().withName("u-nfs-repo").withNewNfs("/export/restic", null, "nas.lan").endVolume()
                .addNewVolume().withName("u-creds").withNewSecret().withSecretName("extra-creds").endSecret().endVolume()
                .addNewVolume().withName("local-repo").withNewHostPath().withPath("/srv/restic").endHostPath().endVolume()
                .addNewVolume().withName("custom-ca").withNewSecret().withSecretName("my-ca").endSecret().endVolume()
                .editFirstContainer()
                    .addNewVolumeMount().withName("u-nfs-repo").withMountPath("/mnt/nfs-repo").endVolumeMount()
                    .addNewVolumeMount().withName("u-creds").withMountPath("/mnt/creds").withReadOnly(true).endVolumeMount()
                    .addNewVolumeMount().withName("local-repo").withMountPath("/srv/restic").withSubPath("cluster-a").endVolumeMount()
                    .addNewVolumeMount().withName("custom-ca").withMountPath("/customca").withReadOnly(true).endVolumeMount()
                .endContainer().endSpec().build();
        Job job = buildDefault(pod);
        assertThat(volumes(job)).containsOnlyKeys("cache", "tempdir", "u-nfs-repo", "u-creds", "local-repo", "custom-ca");
        assertThat(mounts(job).get("/mnt/creds").getReadOnly()).isTrue();
        assertThat(mounts(job).get("/srv/restic").getSubPath()).isEqualTo("cluster-a");
        assertThat(mounts(job).get("/customca").getReadOnly()).isTrue();
        assertThat(job.getMetadata().getAnnotations().get(REPOSITORY_KEY))
                .endsWith("/hostPath:/srv/restic,nfs:nas.lan:/export/restic");
    }

    @Test
    void mirrorsScheduling() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").editSpec()
                .withNodeSelector(Map.of("kubernetes.io/arch", "arm64"))
                .addNewToleration().withKey("dedicated").withOperator("Equal").withValue("storage").withEffect("NoSchedule").endToleration()
                .addNewImagePullSecret("regcred")
                .withNewAffinity().withNewNodeAffinity().withNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .addNewNodeSelectorTerm().addNewMatchExpression().withKey("zone").withOperator("In").withValues("a").endMatchExpression()
                    .endNodeSelectorTerm().endRequiredDuringSchedulingIgnoredDuringExecution().endNodeAffinity().endAffinity()
                .endSpec().build();
        PodSpec spec = buildDefault(pod).getSpec().getTemplate().getSpec();
        assertThat(spec.getNodeSelector()).containsEntry("kubernetes.io/arch", "arm64");
        assertThat(spec.getTolerations()).singleElement().satisfies(t -> assertThat(t.getValue()).isEqualTo("storage"));
        assertThat(spec.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("regcred"));
        assertThat(spec.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
                .getNodeSelectorTerms().get(0).getMatchExpressions().get(0).getKey()).isEqualTo("zone");
    }

    @Test
    void aLongOwnerNameGivesAValidStableNameOfAtMost63Characters() throws IOException {
        String owner = "a-really-long-replication-source-name-for-the-photoprism-library-0";
        Job longJob = VolSyncObjects.sourceJob(NS, owner, "rs-uid-2", "job-uid-2");
        assertThat(longJob.getMetadata().getName()).as("VolSync's crc32 form").matches("volsync-src-\\d+");
        Pod pod = VolSyncObjects.sourcePod(longJob, "ab12c", POD_UID, "photoprism-restic").build();
        MonitorPolicy m = monitor("  enabled: true\n");
        String name = build(pod, longJob, m, LOCK_LINE).getMetadata().getName();
        assertThat(name).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?")
                .startsWith("volsync-unlock-a-really-long-replication-source-na");
        assertThat(build(pod, longJob, m, LOCK_LINE).getMetadata().getName()).isEqualTo(name);
        Pod otherAttempt = VolSyncObjects.sourcePod(longJob, "zz99z", "another-uid", "photoprism-restic").build();
        assertThat(build(otherAttempt, longJob, m, LOCK_LINE).getMetadata().getName()).isNotEqualTo(name);
        assertThat(UnlockJobFactory.jobName("Weird.Name_With.Dots-", "u")).matches("volsync-unlock-weird-name-with-dots-[0-9a-f]{8}");
    }

    @Test
    void withoutItsJobTheOwnerComesFromTheJobName() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Job job = build(pod, null, monitor("  enabled: true\n"), LOCK_LINE);
        assertThat(job.getMetadata().getName()).startsWith("volsync-unlock-jellyfin-");
        assertThat(job.getMetadata().getAnnotations()).containsEntry(FAILED_JOB_UID, "job-uid-1").containsEntry(APP, "ReplicationSource/jellyfin");
    }

    /** A holder the hub cannot prove gone gets restic's own stale rule; a monitor's template cannot turn it into --remove-all. */
    @Test
    void aPlainUnlockStaysPlainWhateverTheTemplateSays() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        MonitorPolicy policy = monitor("""
                  enabled: true
                  unlockJobTemplate:
                    command: ["restic", "--remove-all"]
                    args: ["unlock", "--remove-all", "--verbose"]
                """);
        LockVerdict verdict = LockDetector.BUILT_IN.examine(LOCK_LINE);
        Job plain = UnlockJobFactory.build(new UnlockRequest("home", pod, FailedMover.of(pod, moverJob), policy, verdict,
                RepositoryKey.of("home", pod), HolderRule.Kind.PLAIN, 2));
        assertThat(container(plain).getCommand()).containsExactly("restic");
        assertThat(container(plain).getArgs()).containsExactly("unlock", "--verbose");
        assertThat(plain.getMetadata().getAnnotations()).containsEntry(UNLOCK_MODE, "plain").containsEntry(ATTEMPT, "2");
        assertThat(UnlockJobFactory.isOwnName(plain.getMetadata().getName(), "jellyfin", POD_UID, 2)).isTrue();
        assertThat(UnlockJobFactory.isOwnName(plain.getMetadata().getName(), "jellyfin", POD_UID, 1)).as("each attempt has its own name").isFalse();
        Job removeAll = UnlockJobFactory.build(new UnlockRequest("home", pod, FailedMover.of(pod, moverJob), policy, verdict,
                RepositoryKey.of("home", pod), HolderRule.Kind.REMOVE_ALL, 1));
        assertThat(container(removeAll).getArgs()).containsExactly("unlock", "--remove-all", "--verbose");
    }

    @Test
    void theTemplateWinsFieldByField() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Job job = build(pod, moverJob, monitor("""
                  unlockJobTemplate:
                    image: "restic/restic:0.18.1"
                    args: ["unlock"]
                    serviceAccount: volsync-unlock-sa
                    resources: {limits: {memory: 256Mi}, requests: {cpu: 50m}}
                    securityContext: {runAsUser: 1000}
                """, new UnlockAllowList(List.of("docker.io/restic/restic:*"), Set.of("volsync-unlock-sa"))), LOCK_LINE);
        Container c = container(job);
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        assertThat(c.getImage()).isEqualTo("restic/restic:0.18.1");
        assertThat(c.getCommand()).containsExactly("restic");
        assertThat(c.getArgs()).containsExactly("unlock");
        assertThat(spec.getServiceAccountName()).isEqualTo("volsync-unlock-sa");
        assertThat(c.getResources().getLimits()).containsOnly(Map.entry("memory", new Quantity("256Mi")));
        assertThat(c.getResources().getRequests()).containsOnly(Map.entry("cpu", new Quantity("50m")));
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(c.getSecurityContext().getRunAsUser()).as("the container's own runAsUser would win otherwise").isEqualTo(1000L);
        assertThat(spec.getSecurityContext().getRunAsGroup()).as("not set in the template: mirrored").isEqualTo(568L);
        assertThat(spec.getSecurityContext().getFsGroup()).isEqualTo(568L);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isNull();
    }

    @Test
    void aCommandOfTheUsersOwnGetsNoDefaultArguments() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        Container c = container(build(pod, moverJob, monitor("  unlockJobTemplate: {command: [\"/usr/local/bin/restic\", \"unlock\"]}\n"), LOCK_LINE));
        assertThat(c.getCommand()).containsExactly("/usr/local/bin/restic", "unlock");
        assertThat(c.getArgs()).isEmpty();
    }

    @Test
    void noSecretValueAppearsAnywhereInTheJob() throws IOException {
        Secret secret = VolSyncObjects.repositorySecret(NS, "jellyfin-restic");
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        String leakyLine = "Fatal: unable to open config file: Stat: Get \"https://AKIAVOLSYNCEXAMPLE:wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY"
                + "@minio.lan:9000/volsync/app/config\": repository is already locked by PID 1 on h by root (UID 0, GID 0) "
                + "RESTIC_PASSWORD=correct-horse-battery-staple";
        String json = Serialization.asJson(build(pod, moverJob, monitor("  enabled: true\n"), leakyLine));
        for (String value : secret.getStringData().values()) {
            assertThat(json).doesNotContain(value)
                    .doesNotContain(Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(json).contains("https://***@minio.lan:9000").contains("RESTIC_PASSWORD=***");
    }

    @Test
    void theJobSharesNoObjectWithTheInformersPod() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        String before = Serialization.asJson(pod);
        Job job = buildDefault(pod);
        container(job).getEnv().get(0).setName("CHANGED");
        container(job).getVolumeMounts().get(0).setMountPath("/changed");
        job.getSpec().getTemplate().getSpec().getSecurityContext().setRunAsUser(1L);
        assertThat(Serialization.asJson(pod)).isEqualTo(before);
    }

    @Test
    void anExistingCompatibilityVariableIsReplacedNotDuplicated() throws IOException {
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").editSpec().editFirstContainer()
                .addNewEnv().withName(ENV_UNLOCK_OPERATION).withValue("false").endEnv().endContainer().endSpec().build();
        assertThat(container(buildDefault(pod)).getEnv()).filteredOn(e -> e.getName().equals(ENV_UNLOCK_OPERATION))
                .singleElement().satisfies(e -> assertThat(e.getValue()).isEqualTo("true"));
    }

    @Test
    void aMonitorNameTooLongForALabelIsHashed() throws IOException {
        String longName = "monitor-" + "x".repeat(70);
        Pod pod = VolSyncObjects.sourcePod(moverJob, "x7k2p", POD_UID, "jellyfin-restic").build();
        MonitorPolicy m = monitor("  enabled: true\n");
        MonitorPolicy renamed = new MonitorPolicy(m.namespace(), longName, m.enabled(), m.maxConcurrentUnlocks(),
                m.ttlSecondsAfterFinished(), m.patterns(), m.removeFailedJobs(), m.scanInterval(), m.namePrefix(),
                m.labelSelector(), m.namespaces(), m.template());
        String label = build(pod, moverJob, renamed, LOCK_LINE).getMetadata().getLabels().get(MONITOR_LABEL);
        assertThat(label).hasSizeLessThanOrEqualTo(63).isEqualTo(UnlockJobFactory.labelValue(longName)).isNotEqualTo(longName);
    }
}

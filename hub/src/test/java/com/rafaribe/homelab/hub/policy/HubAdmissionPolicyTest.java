package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.rafaribe.homelab.hub.policy.AdmissionPolicyCel.Outcome;
import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * agent-config/admission/'s policies, evaluated with CEL on the unlock Jobs the real
 * UnlockJobFactory builds (every validation passes) and on Jobs a stolen hub token might create
 * (the validation meant for each refuses it). Kubernetes 1.30+ runs these; our control plane is
 * 1.20, so the expressions are run here with the CEL library instead.
 */
class HubAdmissionPolicyTest {
    static final Path POLICY = AgentConfig.DIR.resolve("admission/hub-job-policy.yaml");
    static final String HUB = "system:serviceaccount:" + AgentConfig.HUB_NAMESPACE + ":" + AgentConfig.HUB_SERVICE_ACCOUNT;
    static final String POD_UID = UnlockJobFactoryTest.POD_UID;
    /** What the template case asks for, allowed as --unlock-image-allow and --unlock-service-account-allow would. */
    static final UnlockAllowList TEMPLATE_ALLOWED = new UnlockAllowList(List.of("docker.io/restic/restic:*"), java.util.Set.of("volsync-unlock-sa"));

    static List<Map<String, Object>> docs() throws Exception {
        return AdmissionPolicyCel.documents(POLICY);
    }

    static AdmissionPolicyCel create() throws Exception {
        return AdmissionPolicyCel.named(docs(), "volsync-monitor-hub-job-create");
    }

    static AdmissionPolicyCel delete() throws Exception {
        return AdmissionPolicyCel.named(docs(), "volsync-monitor-hub-job-delete");
    }

    static Job moverJob() {
        return VolSyncObjects.sourceJob(UnlockJobFactoryTest.NS, "jellyfin", "rs-uid-1", "job-uid-1");
    }

    static Pod moverPod() {
        return VolSyncObjects.sourcePod(moverJob(), "x7k2p", POD_UID, "jellyfin-restic").build();
    }

    static Job unlock(String monitorSpec, HolderRule.Kind mode) throws Exception {
        Pod pod = moverPod();
        VolSyncObjects.mountNfsRepository(pod, "/mnt/tank/volsync/jellyfin");
        LockVerdict verdict = LockDetector.BUILT_IN.examine(UnlockJobFactoryTest.LOCK_LINE);
        return UnlockJobFactory.build(new UnlockRequest("home", pod, FailedMover.of(pod, moverJob()),
                UnlockJobFactoryTest.monitor(monitorSpec, TEMPLATE_ALLOWED), verdict, RepositoryKey.of("home", pod), mode, 1));
    }

    /** Plain, --remove-all, a template of the user's own, and a VolSync privileged mover's (baseline capabilities added, root). */
    static Stream<Arguments> hubJobs() throws Exception {
        Job privileged = unlock("  enabled: true\n", HolderRule.Kind.REMOVE_ALL);
        privileged.getSpec().getTemplate().getSpec().getContainers().get(0).getSecurityContext().setCapabilities(
                new io.fabric8.kubernetes.api.model.CapabilitiesBuilder().withAdd("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETGID", "SETUID").build());
        return Stream.of(
                Arguments.of("plain", unlock("  enabled: true\n", HolderRule.Kind.PLAIN)),
                Arguments.of("--remove-all", unlock("  enabled: true\n  ttlSecondsAfterFinished: 3600\n", HolderRule.Kind.REMOVE_ALL)),
                Arguments.of("template", unlock("""
                          enabled: true
                          unlockJobTemplate:
                            image: "restic/restic:0.18.1"
                            command: ["restic"]
                            args: ["unlock", "--remove-all", "--verbose"]
                            serviceAccount: volsync-unlock-sa
                            resources: {limits: {memory: 256Mi}}
                            securityContext: {runAsUser: 1000, fsGroup: 1000}
                        """, HolderRule.Kind.REMOVE_ALL)),
                Arguments.of("privileged mover", privileged));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hubJobs")
    void everyUnlockJobTheHubBuildsIsAdmitted(String kind, Job job) throws Exception {
        AdmissionPolicyCel policy = create();
        Map<String, Object> request = AdmissionPolicyCel.request(HUB, "CREATE", job.getMetadata().getNamespace());
        assertThat(policy.matches(Map.of("request", request, "object", AdmissionPolicyCel.asCel(job)))).isTrue();
        assertThat(policy.validate(AdmissionPolicyCel.asCel(job), null, request)).isNotEmpty().allSatisfy(o ->
                assertThat(o.passed()).as("%s: %s (%s)", kind, o.message(), o.error()).isTrue());
    }

    static Stream<Arguments> hostileJobs() {
        return Stream.of(
                hostile("hostPath", "hostPath", spec -> spec.getVolumes().add(new VolumeBuilder().withName("root")
                        .withNewHostPath().withPath("/").endHostPath().build())),
                hostile("privileged", "privileged", spec -> first(spec).getSecurityContext().setPrivileged(true)),
                hostile("hostNetwork", "network, PID or IPC", spec -> spec.setHostNetwork(true)),
                hostile("hostPID", "network, PID or IPC", spec -> spec.setHostPID(true)),
                hostile("hostIPC", "network, PID or IPC", spec -> spec.setHostIPC(true)),
                hostile("SYS_ADMIN added", "capabilities", spec -> first(spec).getSecurityContext().setCapabilities(
                        new io.fabric8.kubernetes.api.model.CapabilitiesBuilder().withAdd("SYS_ADMIN").build())),
                hostile("sh -c", "restic unlock", spec -> {
                    first(spec).setCommand(List.of("/bin/sh", "-c", "restic unlock; cat /var/run/secrets/*/token"));
                    first(spec).setArgs(List.of());
                }),
                hostile("restic backup", "restic unlock", spec -> first(spec).setArgs(List.of("backup", "/data"))),
                hostile("restic forget", "restic unlock", spec -> first(spec).setArgs(List.of("forget", "--prune", "unlock"))),
                hostile("--password-command", "restic unlock",
                        spec -> first(spec).setArgs(List.of("unlock", "--password-command=sh -c id"))),
                hostile("RESTIC_PASSWORD_COMMAND", "RESTIC_PASSWORD_COMMAND", spec -> first(spec).getEnv()
                        .add(new io.fabric8.kubernetes.api.model.EnvVar("RESTIC_PASSWORD_COMMAND", "sh -c id", null))),
                hostile("other image", "image", spec -> first(spec).setImage("evil.example/restic:latest")),
                hostile("init container", "exactly one container", spec -> spec.getInitContainers()
                        .add(new io.fabric8.kubernetes.api.model.ContainerBuilder().withName("x").withImage("busybox").build())),
                hostileJob("other name", "volsync-unlock-*", job -> job.getMetadata().setName("backdoor")),
                hostileJob("no managed-by label", "managed-by", job -> job.getMetadata().getLabels().remove("app.kubernetes.io/managed-by")),
                hostileJob("kube-system", "kube-system", job -> job.getMetadata().setNamespace("kube-system")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileJobs")
    void aHostileJobIsRefusedByTheValidationMeantForIt(String kind, String refusedBy, Job job) throws Exception {
        Map<String, Object> request = AdmissionPolicyCel.request(HUB, "CREATE", job.getMetadata().getNamespace());
        List<Outcome> outcomes = create().validate(AdmissionPolicyCel.asCel(job), null, request);
        assertThat(outcomes).filteredOn(o -> o.message().contains(refusedBy)).as(kind).isNotEmpty()
                .allSatisfy(o -> assertThat(o.passed()).as("%s refused by %s", kind, o.message()).isFalse());
    }

    @Test
    void deletesOnlyMoversAndItsOwnUnlockJobs() throws Exception {
        AdmissionPolicyCel policy = delete();
        Job mover = moverJob();
        Job ownUnlock = unlock("  enabled: true\n", HolderRule.Kind.PLAIN);
        Job random = new JobBuilder().withNewMetadata().withName("nightly-report").withNamespace("media")
                .addToLabels("app", "report").endMetadata().build();
        Job moverInKubeSystem = new JobBuilder(moverJob()).editMetadata().withNamespace("kube-system").endMetadata().build();
        assertThat(deletable(policy, mover)).as("a VolSync mover (removeFailedJobs)").isTrue();
        assertThat(deletable(policy, ownUnlock)).as("its own unlock Job").isTrue();
        assertThat(deletable(policy, random)).as("someone else's Job").isFalse();
        assertThat(deletable(policy, moverInKubeSystem)).as("anything in kube-system").isFalse();
        Job unlabelled = new JobBuilder(ownUnlock).editMetadata().withLabels(Map.of()).endMetadata().build();
        assertThat(deletable(policy, unlabelled)).as("a Job merely named like an unlock").isFalse();
    }

    /** The policies bind with Deny and apply to the hub's ServiceAccount of agent-config/rbac only: Jobs, create or delete. */
    @Test
    void appliesToTheHubsIdentityOnly() throws Exception {
        assertThat(docs()).filteredOn(d -> "ValidatingAdmissionPolicyBinding".equals(d.get("kind")))
                .extracting(d -> ((Map<?, ?>) d.get("spec")).get("policyName") + " " + ((Map<?, ?>) d.get("spec")).get("validationActions"))
                .containsExactlyInAnyOrder("volsync-monitor-hub-job-create [Deny]", "volsync-monitor-hub-job-delete [Deny]");
        assertThat(docs()).allSatisfy(d -> assertThat(d.get("apiVersion")).isEqualTo("admissionregistration.k8s.io/v1"));
        String identity = Files.readString(AgentConfig.DIR.resolve("rbac/hub-identity.yaml"));
        assertThat(identity).contains("name: " + AgentConfig.HUB_SERVICE_ACCOUNT + "\n  namespace: " + AgentConfig.HUB_NAMESPACE);
        Job job = unlock("  enabled: true\n", HolderRule.Kind.PLAIN);
        for (AdmissionPolicyCel policy : List.of(create(), delete())) {
            assertThat(policy.spec.get("failurePolicy")).isEqualTo("Fail");
            assertThat(policy.spec.get("matchConstraints").toString()).contains("apiGroups=[batch]").contains("resources=[jobs]");
            for (String other : List.of("system:serviceaccount:kube-system:job-controller", "kubernetes-admin",
                    "system:serviceaccount:" + AgentConfig.HUB_NAMESPACE + ":default", HUB + "-2")) {
                assertThat(policy.matches(Map.of("request", AdmissionPolicyCel.request(other, "CREATE", "media"),
                        "object", AdmissionPolicyCel.asCel(job)))).as(policy.name + " leaves " + other + " alone").isFalse();
            }
            assertThat(policy.matches(Map.of("request", AdmissionPolicyCel.request(HUB, "CREATE", "media"),
                    "object", AdmissionPolicyCel.asCel(job)))).as(policy.name + " applies to the hub").isTrue();
        }
        assertThat(create().spec.get("matchConstraints").toString()).contains("operations=[CREATE]");
        assertThat(delete().spec.get("matchConstraints").toString()).contains("operations=[DELETE]");
    }

    @Test
    void everyExpressionCompiles() throws Exception {
        for (AdmissionPolicyCel policy : List.of(create(), delete())) {
            assertThat(policy.expressions()).isNotEmpty().allSatisfy(e ->
                    assertThatCode(() -> AdmissionPolicyCel.compile(e)).as(e).doesNotThrowAnyException());
        }
    }

    private static boolean deletable(AdmissionPolicyCel policy, Job job) throws Exception {
        Map<String, Object> request = AdmissionPolicyCel.request(HUB, "DELETE", job.getMetadata().getNamespace());
        return policy.validate(null, AdmissionPolicyCel.asCel(job), request).stream().allMatch(Outcome::passed);
    }

    private static Container first(PodSpec spec) {
        return spec.getContainers().get(0);
    }

    private static Arguments hostile(String kind, String refusedBy, Consumer<PodSpec> change) {
        return hostileJob(kind, refusedBy, job -> change.accept(job.getSpec().getTemplate().getSpec()));
    }

    private static Arguments hostileJob(String kind, String refusedBy, Consumer<Job> change) {
        try {
            Job job = unlock("  enabled: true\n", HolderRule.Kind.REMOVE_ALL);
            change.accept(job);
            return Arguments.of(kind, refusedBy, job);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}

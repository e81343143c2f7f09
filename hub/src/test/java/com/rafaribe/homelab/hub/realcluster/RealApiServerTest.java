package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.policy.FailedMover;
import com.rafaribe.homelab.hub.policy.LockDetector;
import com.rafaribe.homelab.hub.policy.LockVerdict;
import com.rafaribe.homelab.hub.policy.MonitorValidator;
import com.rafaribe.homelab.hub.policy.RepositoryKey;
import com.rafaribe.homelab.hub.policy.UnlockJobFactory;
import com.rafaribe.homelab.hub.policy.UnlockRequest;
import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.ControlPlaneExtension;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Kustomize;
import com.rafaribe.homelab.hub.testing.TestData;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tier 4: what only a real API server can say. The CRD and agent-config apply server-side, the
 * schema refuses what the model refuses, a 63-character Job name stays valid for its unlock Job,
 * and the hub's identity from agent-config/rbac can do the hub's work but read no Secret.
 */
@ExtendWith(ControlPlaneExtension.class)
class RealApiServerTest {
    static final Path AGENT_CONFIG = AgentConfig.DIR;
    static final String CRD = AgentConfig.MONITOR_CRD;

    KubernetesClient admin;

    @BeforeEach
    void applyAgentConfig(ControlPlane plane) throws Exception {
        admin = plane.admin();
        AgentConfig.apply(admin);
    }

    @AfterEach
    void closeAdmin() {
        admin.close();
    }

    /**
     * The API server's validation agrees with the manifests: the egress rules (IPv4 and IPv6
     * blocks with their exceptions), the Secret volumes' mode and the namespace's Pod Security
     * labels are stored as built, not refused or dropped.
     */
    @Test
    void deployAndItsExampleOverlayApplyServerSide(ControlPlane plane) throws Exception {
        List<HasMetadata> built = Kustomize.buildExample();
        boolean servesPolicyV1 = plane.servesPolicyV1();
        for (HasMetadata object : built) {
            if (object.getApiVersion().equals("policy/v1") && !servesPolicyV1) {
                // The test plane predates policy/v1 (ControlPlane.servesPolicyV1): the budget, the same fields, as v1beta1.
                assertThat(object.getKind()).isEqualTo("PodDisruptionBudget");
                object.setApiVersion("policy/v1beta1");
                admin.resource(admin.getKubernetesSerialization().convertValue(object, GenericKubernetesResource.class))
                        .forceConflicts().serverSideApply();
                continue;
            }
            admin.resource(object).forceConflicts().serverSideApply();
        }
        var deployment = admin.apps().deployments().inNamespace("homelab-assistant-system").withName("homelab-assistant-controller").get();
        assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("volsync-monitor-hub");
        assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getSecret() != null).hasSize(2)
                .allSatisfy(v -> assertThat(v.getSecret().getDefaultMode()).as(v.getName()).isEqualTo(0400));
        NetworkPolicy policy = admin.network().v1().networkPolicies().inNamespace("homelab-assistant-system")
                .withName("homelab-assistant-controller").get();
        assertThat(policy.getSpec().getEgress()).isEqualTo(Kustomize.one(built, NetworkPolicy.class, "homelab-assistant-controller")
                .getSpec().getEgress());
        assertThat(admin.namespaces().withName("homelab-assistant-system").get().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(admin.network().v1().ingresses().inNamespace("homelab-assistant-system").withName("homelab-assistant-controller").get())
                .isNotNull();
    }

    @Test
    void theSamplesAndTheSeedMonitorsAreAcceptedAndTheSchemaRefusesANegativeLimit() throws Exception {
        for (Path yaml : List.of(AGENT_CONFIG.resolve("samples/volsyncmonitor-basic.yaml"),
                AGENT_CONFIG.resolve("samples/volsyncmonitor-per-namespace.yaml"), TestData.seedMonitors())) {
            try (InputStream in = Files.newInputStream(yaml)) {
                assertThat(admin.load(in).forceConflicts().serverSideApply()).as(yaml.toString()).isNotEmpty();
            }
        }
        String negative = """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: negative, namespace: homelab-assistant-system}
                spec: {enabled: true, maxConcurrentUnlocks: -1}
                """;
        assertThat(MonitorValidator.validate(MonitorYaml.parseAll(negative).get(0)).problems()).as("the hub's own check").isNotEmpty();
        assertThatThrownBy(() -> admin.load(new java.io.ByteArrayInputStream(negative.getBytes())).create())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                    assertThat(e.getCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("maxConcurrentUnlocks");
                });
    }

    @Test
    void anUnlockJobForAMoverJobWhoseNameIsAlready63CharactersIsAccepted() throws Exception {
        ensureNamespace("media");
        String app = "a".repeat(51);
        Job mover = VolSyncObjects.sourceJob("media", app, "rs-uid-63", null);
        assertThat(mover.getMetadata().getName()).hasSize(63);
        mover.getSpec().getTemplate().getSpec().setRestartPolicy("Never");
        mover.getSpec().getTemplate().getSpec().setContainers(List.of(new ContainerBuilder().withName("restic")
                .withImage(VolSyncObjects.IMAGE).withCommand("/mover-restic/entry.sh").withArgs("backup").build()));
        mover = admin.batch().v1().jobs().inNamespace("media").resource(mover).create();
        Pod pod = VolSyncObjects.sourcePod(mover, "x7k2p", "pod-uid-63", "restic-secret").build();
        LockVerdict verdict = LockDetector.BUILT_IN.examine("unable to create lock in backend: repository is already locked exclusively by PID 31 on "
                + mover.getMetadata().getName() + "-abcde by  (UID 568, GID 568)\n");
        var monitor = MonitorValidator.validate(MonitorYaml.parseAll("""
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: volsync-monitor, namespace: homelab-assistant-system}
                spec: {enabled: true}
                """).get(0)).policy();
        Job unlock = UnlockJobFactory.build(new UnlockRequest("real", pod, FailedMover.of(pod, mover), monitor, verdict,
                RepositoryKey.of("real", pod)));
        Job created = admin.batch().v1().jobs().inNamespace("media").resource(unlock).create();
        assertThat(created.getMetadata().getName()).hasSizeLessThanOrEqualTo(63);
        assertThat(created.getMetadata().getUid()).isNotBlank();
    }

    @Test
    void theHubsIdentityReadsWhatItNeedsButNoSecret(ControlPlane plane) {
        ensureNamespace("media");
        try (KubernetesClient hub = plane.client(plane.hubToken)) {
            assertThat(hub.pods().inAnyNamespace().list().getItems()).isNotNull();
            assertThat(hub.batch().v1().jobs().inAnyNamespace().list().getItems()).isNotNull();
            assertThatThrownBy(() -> hub.secrets().inNamespace("media").list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> hub.secrets().inNamespace("media").withName("restic-secret").get())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
            assertThatThrownBy(() -> hub.configMaps().inNamespace("media").list()).as("nothing beyond the rules")
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
    }

    @Test
    void theHubRunningAsItsIdentityOnlyConnectsAndSeesTheMonitor(ControlPlane plane) throws Exception {
        try (InputStream in = Files.newInputStream(AGENT_CONFIG.resolve("samples/volsyncmonitor-basic.yaml"))) {
            admin.load(in).forceConflicts().serverSideApply();
        }
        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("real", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hub.api.list("/api/clusters")).singleElement()
                    .satisfies(c -> {
                        assertThat(c.getString("state")).as(c.encode()).isEqualTo("Connected");
                        assertThat(c.getInteger("monitors")).isGreaterThanOrEqualTo(1);
                    }));
        }
    }

    /** What agent-config/mint-kubeconfig printed on standard output and standard error, and its exit code. */
    record Minted(int exit, String out, String err) {
        String describe() {
            return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static Minted mint(Path kubeconfig, String... args) throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of(AGENT_CONFIG.resolve("mint-kubeconfig").toString()));
        argv.addAll(List.of(args));
        Path err = Files.createTempFile("mint", ".err");
        try {
            ProcessBuilder mint = new ProcessBuilder(argv).redirectError(err.toFile());
            mint.environment().put("KUBECONFIG", kubeconfig.toString());
            Process p = mint.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("mint-kubeconfig ended").isTrue();
            return new Minted(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.delete(err);
        }
    }

    /** The token's lifetime as the API server issued it: exp - iat of the JWT. */
    static Duration lifetime(String kubeconfig) {
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("(?m)^\\s+token: (\\S+)$").matcher(kubeconfig);
        assertThat(token.find()).as(kubeconfig).isTrue();
        String payload = token.group(1).split("\\.")[1];
        io.vertx.core.json.JsonObject claims = new io.vertx.core.json.JsonObject(
                new String(java.util.Base64.getUrlDecoder().decode(payload), java.nio.charset.StandardCharsets.UTF_8));
        return Duration.ofSeconds(claims.getLong("exp") - claims.getLong("iat"));
    }

    /**
     * The control plane listens on 127.0.0.1, as k3s's own kubeconfig names its server: copied as
     * is, the hub in its pod would talk to itself. mint-kubeconfig refuses it, says how to fix
     * it, and with --server mints a kubeconfig that verifies the server's CA and is the hub's
     * identity (pods yes, Secrets no), for 30 days by default, and runs the hub.
     */
    @Test
    void theMintedKubeconfigIsTheHubsIdentityAndRunsTheHub(ControlPlane plane) throws Exception {
        Path adminConfig = plane.kubeconfig("admin-cli", plane.adminToken);
        Minted loopback = mint(adminConfig, "--name", "minted");
        assertThat(loopback.exit()).as(loopback.describe()).isEqualTo(1);
        assertThat(loopback.out()).as("nothing a redirect would save as a kubeconfig").isEmpty();
        assertThat(loopback.err()).contains(plane.server, "loopback", "--server https://");

        Minted minted = mint(adminConfig, "--name", "minted", "--server", plane.server);
        assertThat(minted.exit()).as(minted.describe()).isZero();
        String kubeconfig = minted.out();
        assertThat(kubeconfig).contains("server: " + plane.server, "current-context: minted", "certificate-authority-data: " + plane.caData())
                .doesNotContain(plane.adminToken, "insecure-skip-tls-verify");
        assertThat(lifetime(kubeconfig)).as("the default lifetime").isEqualTo(Duration.ofDays(30));
        Path mintedFile = Files.writeString(plane.dir.resolve("minted.kubeconfig"), kubeconfig);

        // Config.fromKubeconfig trusts only the kubeconfig's CA: the TLS handshake checks it.
        try (KubernetesClient asHub = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(io.fabric8.kubernetes.client.Config.fromKubeconfig(kubeconfig)).build()) {
            assertThat(asHub.pods().inAnyNamespace().list().getItems()).isNotNull();
            assertThatThrownBy(() -> asHub.secrets().inAnyNamespace().list())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
        }
        // The expiry the API server set, as mint-kubeconfig prints it, is the one the hub reads from the token's exp.
        java.util.regex.Matcher validUntil = java.util.regex.Pattern.compile("valid until (\\S+)").matcher(minted.err());
        assertThat(validUntil.find()).as(minted.err()).isTrue();
        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, mintedFile)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(hub.api.list("/api/clusters")).singleElement()
                    .satisfies(c -> {
                        assertThat(c.getString("name") + " " + c.getString("state")).isEqualTo("minted Connected");
                        assertThat(c.getString("credentialExpiresAt")).isEqualTo(java.time.Instant.parse(validUntil.group(1)).toString());
                        assertThat(c.getJsonArray("warnings")).as("the CA is verified").isEmpty();
                        assertThat(c.encode()).doesNotContain(kubeconfig.lines().filter(l -> l.contains("token: ")).findFirst().orElseThrow()
                                .replaceAll(".*token: ", "").split("\\.")[1]);
                    }));
        }
    }

    @Test
    void mintDurationsAreHoursDaysWeeksOrYears(ControlPlane plane) throws Exception {
        Path adminConfig = plane.kubeconfig("admin-cli", plane.adminToken);
        for (var expected : java.util.Map.of("720h", Duration.ofHours(720), "30d", Duration.ofDays(30), "2w", Duration.ofDays(14),
                "1y", Duration.ofDays(365)).entrySet()) {
            Minted minted = mint(adminConfig, "--server", plane.server, "--duration", expected.getKey());
            assertThat(minted.exit()).as(minted.describe()).isZero();
            assertThat(lifetime(minted.out())).as(expected.getKey()).isEqualTo(expected.getValue());
        }
        for (String bad : List.of("30", "1.5d", "30m", "0h", "d", "8760hours")) {
            Minted refused = mint(adminConfig, "--server", plane.server, "--duration", bad);
            assertThat(refused.exit()).as(bad + ": " + refused.describe()).isEqualTo(2);
            assertThat(refused.out()).isEmpty();
            assertThat(refused.err()).contains("--duration " + bad);
        }
    }

    /** A context that skips TLS verification would make the hub send its token to whoever answers: refused unless asked for. */
    @Test
    void mintRefusesAnInsecureContextUnlessAllowed(ControlPlane plane) throws Exception {
        Path insecure = plane.insecureKubeconfig("insecure-cli", plane.adminToken);
        Minted refused = mint(insecure, "--server", plane.server);
        assertThat(refused.exit()).as(refused.describe()).isEqualTo(1);
        assertThat(refused.out()).isEmpty();
        assertThat(refused.err()).contains("insecure-skip-tls-verify", "--allow-insecure");

        Minted allowed = mint(insecure, "--server", plane.server, "--allow-insecure");
        assertThat(allowed.exit()).as(allowed.describe()).isZero();
        assertThat(allowed.out()).contains("insecure-skip-tls-verify: true", "server: " + plane.server);
    }

    @Test
    void mintHelpIsTheUsageAndABadOptionIsAUsageError(ControlPlane plane) throws Exception {
        Path adminConfig = plane.kubeconfig("admin-cli", plane.adminToken);
        Minted help = mint(adminConfig, "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).startsWith("Usage: agent-config/mint-kubeconfig").contains("--server URL", "--duration", "30d", "720h", "1y",
                "--allow-insecure").doesNotContain("set -", "pipefail", "#!");
        for (List<String> bad : List.of(List.of("--bogus"), List.of("--server"), List.of("--server", "http://10.0.0.1:6443"))) {
            Minted refused = mint(adminConfig, bad.toArray(String[]::new));
            assertThat(refused.exit()).as(bad + ": " + refused.describe()).isEqualTo(2);
            assertThat(refused.out()).isEmpty();
        }
    }

    void ensureNamespace(String name) {
        if (admin.namespaces().withName(name).get() == null) {
            admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build()).create();
        }
    }
}

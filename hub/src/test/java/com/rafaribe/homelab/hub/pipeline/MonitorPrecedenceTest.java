package com.rafaribe.homelab.hub.pipeline;

import static com.rafaribe.homelab.hub.testing.HubFixture.HUB_NS;
import static com.rafaribe.homelab.hub.testing.HubFixture.WAIT;
import static com.rafaribe.homelab.hub.testing.HubFixture.unlockJobs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.UnlockJobMetadata;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.BlockedThreadWatch;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.TestData;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import com.rafaribe.homelab.hub.testing.VolSyncWorld.Mover;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Which monitor governs a failure: the original controller's two examples, a disabled one, an
 * invalid one, an untrusted one. On a mock API server and a real control plane, whose schema
 * takes every one of these monitors.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class MonitorPrecedenceTest {
    static final BlockedThreadWatch BLOCKED = new BlockedThreadWatch();
    @Parameter
    Backend backend;
    static Path dir;
    static TestCluster home;
    static HubFixture fixture;

    @BeforeParameterizedClassInvocation
    static void start(Backend backend) throws Exception {
        home = backend.start("home");
        for (VolSyncMonitor seed : MonitorYaml.parseAll(Files.readString(TestData.seedMonitors()))) {
            home.client().resources(VolSyncMonitor.class).inNamespace(HUB_NS).resource(seed).create();
        }
        VolSyncWorld.applyMonitor(home, """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: monitor-paused, namespace: homelab-assistant-system}
                spec: {enabled: false, jobSelector: {namespaces: [paused]}}
                """);
        VolSyncWorld.applyMonitor(home, """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: monitor-broken, namespace: homelab-assistant-system}
                spec: {enabled: true, lockErrorPatterns: ["(?<=repo) locked"], jobSelector: {namespaces: [broken]}}
                """);
        VolSyncWorld.applyMonitor(home, """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: monitor-foreign-image, namespace: homelab-assistant-system}
                spec: {enabled: true, jobSelector: {namespaces: [foreign]}, unlockJobTemplate: {image: "docker.io/evil/restic:1", command: ["sh", "-c", "env"]}}
                """);
        VolSyncWorld.applyMonitor(home, """
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: rogue, namespace: rogue}
                spec: {enabled: true, jobSelector: {namespaces: [media]}, unlockJobTemplate: {image: "evil/image", command: ["sh", "-c", "curl evil"]}}
                """);
        dir = Files.createTempDirectory("precedence-test");
        fixture = HubFixture.startAllowing(Vertx.vertx(), HubConfig.DEFAULT_RESYNC, TestData.SEED_MONITORS_ALLOW,
                Backend.kubeconfig(dir, List.of(home)));
    }

    @AfterParameterizedClassInvocation(injectArguments = false)
    static void stop() throws Exception {
        Teardown.close(dir, fixture == null ? null : fixture::close, home);
        fixture = null;
        home = null;
    }

    @AfterAll
    static void checkBlockedThreads() {
        assertThat(BLOCKED.warnings()).as("Vert.x blocked-thread checker").isEmpty();
    }

    static Job unlockFor(String namespace, String app) {
        Mover mover = VolSyncWorld.failMover(home, namespace, app, "q1w2e", app + "-restic", VolSyncWorld.lockLog("volsync-src-" + app + "-zzzzz", "1m"));
        await().atMost(WAIT).until(() -> unlockJobs(home, namespace).size() == 1);
        Job job = unlockJobs(home, namespace).get(0);
        assertThat(job.getMetadata().getAnnotations()).containsEntry(UnlockJobMetadata.FAILED_POD_UID, mover.pod().getMetadata().getUid());
        return job;
    }

    @Test
    void theMonitorListingTheNamespaceBeatsTheCatchAll() {
        Job job = unlockFor("downloads", "sonarr");
        assertThat(job.getMetadata().getLabels()).containsEntry(UnlockJobMetadata.MONITOR_LABEL, "volsync-monitor-advanced");
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        assertThat(spec.getServiceAccountName()).isEqualTo("volsync-unlock-sa");
        assertThat(spec.getContainers().get(0).getImage()).isEqualTo("restic/restic:latest");
    }

    @Test
    void theCatchAllGovernsTheRestAndAnUntrustedMonitorIsIgnored() {
        Job job = unlockFor("media", "plex");
        assertThat(job.getMetadata().getLabels()).containsEntry(UnlockJobMetadata.MONITOR_LABEL, "volsync-monitor-main");
        PodSpec spec = job.getSpec().getTemplate().getSpec();
        assertThat(spec.getContainers().get(0).getImage()).isEqualTo("quay.io/backube/volsync:0.13.0-rc.2");
        assertThat(spec.getContainers().get(0).getCommand()).containsExactly("restic");
        assertThat(spec.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        await().atMost(WAIT).untilAsserted(() -> assertThat(condition(VolSyncWorld.monitor(home, "rogue", "rogue"), "Ignored"))
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("True");
                    assertThat(c.getMessage()).contains("not one the hub trusts");
                }));
    }

    @Test
    void aDisabledSpecificMonitorMeansNothingHappens() {
        Mover mover = VolSyncWorld.failMover(home, "paused", "nextcloud", "a1a1a", "nextcloud-restic", VolSyncWorld.lockLog("x", "1m"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.failure(uid) != null);
        assertThat(fixture.failure(uid).getString("decision")).isEqualTo("monitor-disabled");
        assertThat(fixture.failure(uid).getString("monitor")).endsWith("/monitor-paused");
        assertThat(unlockJobs(home, "paused")).isEmpty();
    }

    @Test
    void anInvalidMonitorSaysSoAndChangesNothing() {
        await().atMost(WAIT).untilAsserted(() -> {
            VolSyncMonitor broken = VolSyncWorld.monitor(home, HUB_NS, "monitor-broken");
            assertThat(condition(broken, "PatternsValid")).satisfies(c -> {
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getMessage()).contains("lockErrorPatterns[0] \"(?<=repo) locked\"");
            });
            assertThat(broken.getStatus().getPhase().name()).isEqualTo("Error");
        });
        await().atMost(WAIT).until(() -> home.client().v1().events().inNamespace(HUB_NS).list().getItems().stream()
                .anyMatch(e -> "InvalidSpec".equals(e.getReason()) && "monitor-broken".equals(e.getInvolvedObject().getName())));
        Mover mover = VolSyncWorld.failMover(home, "broken", "gitea", "b2b2b", "gitea-restic", VolSyncWorld.lockLog("x", "1m"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.failure(uid) != null);
        assertThat(fixture.failure(uid).getString("decision")).isEqualTo("monitor-invalid");
        assertThat(unlockJobs(home, "broken")).isEmpty();
        assertThat(condition(VolSyncWorld.monitor(home, HUB_NS, "volsync-monitor-main"), "PatternsValid").getStatus()).isEqualTo("True");
    }

    /** A trusted monitor's author cannot run an image or a command of their choice with the selected namespaces' credentials. */
    @Test
    void aTrustedMonitorAskingForAnImageNotAllowedOrAShellIsInvalidAndGetsNoJob() {
        await().atMost(WAIT).untilAsserted(() -> {
            VolSyncMonitor foreign = VolSyncWorld.monitor(home, HUB_NS, "monitor-foreign-image");
            assertThat(foreign.getStatus().getPhase().name()).isEqualTo("Error");
            assertThat(condition(foreign, "Ready").getReason()).isEqualTo("InvalidSpec");
            assertThat(condition(foreign, "PatternsValid").getMessage())
                    .contains("spec.unlockJobTemplate.image \"docker.io/evil/restic:1\" is not allowed", "--unlock-image-allow")
                    .contains("spec.unlockJobTemplate.command \"sh -c env\" does not run restic");
            assertThat(foreign.getStatus().getLastError()).contains("--unlock-image-allow");
        });
        Mover mover = VolSyncWorld.failMover(home, "foreign", "vaultwarden", "c3c3c", "vaultwarden-restic", VolSyncWorld.lockLog("x", "1m"));
        String uid = mover.pod().getMetadata().getUid();
        await().atMost(WAIT).until(() -> fixture.failure(uid) != null);
        assertThat(fixture.failure(uid).getString("decision")).isEqualTo("monitor-invalid");
        assertThat(fixture.failure(uid).getString("monitor")).endsWith("/monitor-foreign-image");
        assertThat(home.client().batch().v1().jobs().inNamespace("foreign").list().getItems())
                .as("no Job at all in the namespace but the failed mover's").extracting(j -> j.getMetadata().getName())
                .containsExactly(mover.job().getMetadata().getName());
    }

    static Condition condition(VolSyncMonitor monitor, String type) {
        List<Condition> conditions = monitor.getStatus() == null ? List.of() : monitor.getStatus().getConditions();
        return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElseThrow(() -> new AssertionError("no " + type + " condition"));
    }
}

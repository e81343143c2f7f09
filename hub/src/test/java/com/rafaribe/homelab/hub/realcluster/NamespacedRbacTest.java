package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.SandboxClustersTest;
import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.ControlPlaneExtension;
import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Kustomize;
import com.rafaribe.homelab.hub.testing.Tier;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier 4 with tier 3: agent-config/rbac-namespaced/ on a real API server with RBAC. Reading stays
 * cluster-wide, so the hub watches every namespace; in one whose RoleBinding is missing it may
 * not create the unlock Job, and /api/failures says so with the way to grant it, the cluster
 * staying Connected. Once the namespace is listed as app-namespaces.yaml shows, the queued unlock
 * is created and succeeds.
 */
@ExtendWith(ControlPlaneExtension.class)
class NamespacedRbacTest {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final Path NAMESPACED = AgentConfig.DIR.resolve("rbac-namespaced");

    KubernetesClient admin;

    @AfterEach
    void restoreTheFullIdentity() throws Exception {
        // The control plane is shared by the other tier-4 tests: they expect agent-config/'s identity.
        try (InputStream in = Files.newInputStream(AgentConfig.DIR.resolve("rbac/hub-identity.yaml"))) {
            admin.load(in).forceConflicts().serverSideApply();
        }
        admin.rbac().clusterRoles().withName("volsync-monitor-hub-unlock").delete();
        admin.rbac().roleBindings().inNamespace(Sandbox.APPS_NAMESPACE).withName("volsync-monitor-hub-unlock").delete();
        admin.rbac().roleBindings().inNamespace(Sandbox.APPS_NAMESPACE).withName("logs-only").delete();
        admin.rbac().roles().inNamespace(Sandbox.APPS_NAMESPACE).withName("logs-only").delete();
        admin.close();
    }

    @Test
    void anUnlistedNamespaceIsAReasonNotABrokenClusterAndListingItUnlocks(ControlPlane plane, @TempDir Path root) throws Exception {
        Tier.requireSandbox();
        admin = plane.admin();
        if (admin.namespaces().withName(AgentConfig.HUB_NAMESPACE).get() != null) {
            admin.resources(VolSyncMonitor.class).inNamespace(AgentConfig.HUB_NAMESPACE).delete();
        }
        List<HasMetadata> variant = Kustomize.build(NAMESPACED);
        RoleBinding listed = Kustomize.one(variant, RoleBinding.class, "volsync-monitor-hub-unlock");
        assertThat(listed.getMetadata().getNamespace()).as("the shipped example namespace").isEqualTo("media");
        for (HasMetadata object : variant) {
            if (object != listed) { // the example namespace's grant; the Lease's RoleBinding is applied
                admin.resource(object).forceConflicts().serverSideApply();
            }
        }
        ClusterRole reads = admin.rbac().clusterRoles().withName("volsync-monitor-hub").get();
        assertThat(reads.getRules()).as("cluster-wide: no create, delete or pods/log").noneMatch(r -> r.getResources().contains("pods/log")
                || r.getVerbs().contains("create") && r.getResources().contains("jobs"));

        SandboxLeftovers.clear(admin);
        try (Sandbox cluster = Sandbox.startOn("real", admin, root, List.of("sonarr"), null, Sandbox.DEFAULT_MONITOR_SPEC)) {
            // The namespace's users granted the hub their logs but not Jobs: the lock is seen, the create refused.
            admin.rbac().roles().inNamespace(Sandbox.APPS_NAMESPACE).resource(new RoleBuilder().withNewMetadata().withName("logs-only")
                    .endMetadata().addNewRule().withApiGroups("").withResources("pods/log").withVerbs("get").endRule().build()).create();
            admin.rbac().roleBindings().inNamespace(Sandbox.APPS_NAMESPACE).resource(new RoleBindingBuilder(listed)
                    .editMetadata().withName("logs-only").withNamespace(Sandbox.APPS_NAMESPACE).endMetadata()
                    .editRoleRef().withKind("Role").withName("logs-only").endRoleRef().build()).create();
            SandboxClustersTest.awaitBackedUp(cluster, "sonarr", "initial");
            try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("real", plane.hubToken))) {
                HubApi api = hub.api;
                await().atMost(WAIT).until(() -> "Connected".equals(api.list("/api/clusters").get(0).getString("state")));

                cluster.injectStaleLock("sonarr", "volsync-src-sonarr-x7k2p");
                String sync = cluster.syncNow("sonarr");
                await().atMost(WAIT).untilAsserted(() -> assertThat(api.list("/api/failures"))
                        .anySatisfy(f -> assertThat(f.getString("reason")).as(f.encode()).contains(
                                "the hub may not create Jobs in namespace apps: forbidden (403); grant it with a RoleBinding")));
                JsonObject clusterView = api.list("/api/clusters").get(0);
                assertThat(clusterView.getString("state")).as(clusterView.encode()).isEqualTo("Connected");
                assertThat(clusterView.getString("error")).as("a namespace's RBAC is not the cluster's error").isNull();

                // What app-namespaces.yaml says to do for a namespace: the same RoleBinding, in it.
                admin.rbac().roleBindings().inNamespace(Sandbox.APPS_NAMESPACE).resource(new RoleBindingBuilder(listed)
                        .editMetadata().withNamespace(Sandbox.APPS_NAMESPACE).endMetadata().build()).create();
                await().atMost(WAIT).until(() -> api.list("/api/unlocks").stream().anyMatch(u -> "Succeeded".equals(u.getString("state"))));
                assertThat(cluster.locks("sonarr")).isZero();
                SandboxClustersTest.awaitBackedUp(cluster, "sonarr", sync);
                assertThat(api.list("/api/failures")).anySatisfy(f -> assertThat(f.getString("decision")).isEqualTo("unlocked"));
            }
        }
    }
}

package com.rafaribe.homelab.hub.realcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.testing.AgentConfig;
import com.rafaribe.homelab.hub.testing.ControlPlane;
import com.rafaribe.homelab.hub.testing.ControlPlaneExtension;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Tier 4: every rule of agent-config's ClusterRole is needed, and missing it shows. With one rule
 * removed, the hub (running as that identity only) shows the 403 on its cluster in /api/clusters:
 * a watch that cannot run fails the cluster; a refused command leaves it Connected with the 403
 * and the command named. The world it finds has a failed mover pod (its log is read) and a monitor
 * with an invalid pattern (an InvalidSpec Event is recorded, status is written). The Lease's Role
 * is needed too: with it the hub takes the cluster's Lease and acts; without any one of its verbs
 * the cluster says "cannot take the lease: 403" and nothing acts there.
 */
@ExtendWith(ControlPlaneExtension.class)
class RbacRulesTest {
    static final String NS = "rbac-test";
    static final String HUB_NS = "homelab-assistant-system";

    static final String LEASE_ROLE = "volsync-monitor-hub-lease";

    KubernetesClient admin;
    ClusterRole complete;
    Role completeLease;

    @BeforeEach
    void world(ControlPlane plane) throws Exception {
        admin = plane.admin();
        AgentConfig.apply(admin);
        complete = role();
        completeLease = leaseRole();
        admin.resources(VolSyncMonitor.class).inNamespace(HUB_NS).delete();
        admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
                .createOr(NonDeletingOperation::update);
        load("""
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: rbac-valid, namespace: homelab-assistant-system}
                spec: {enabled: true, jobSelector: {namespaces: [rbac-test]}}
                ---
                apiVersion: homelab.rafaribe.com/v1alpha1
                kind: VolSyncMonitor
                metadata: {name: rbac-invalid, namespace: homelab-assistant-system}
                spec: {enabled: true, lockErrorPatterns: ["("], jobSelector: {namespaces: [elsewhere]}}
                """);
        if (admin.batch().v1().jobs().inNamespace(NS).withName("volsync-src-rbac").get() == null) {
            // A real owner: the garbage collector deletes a Job whose owner does not exist.
            load("""
                    apiVersion: volsync.backube/v1alpha1
                    kind: ReplicationSource
                    metadata: {name: rbac, namespace: rbac-test}
                    spec: {sourcePVC: rbac-data, restic: {repository: rbac-restic}}
                    """);
            String owner = admin.genericKubernetesResources("volsync.backube/v1alpha1", "ReplicationSource").inNamespace(NS).withName("rbac")
                    .get().getMetadata().getUid();
            Job job = VolSyncObjects.sourceJob(NS, "rbac", owner, null);
            job.getSpec().getTemplate().setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                    .withLabels(java.util.Map.of("app.kubernetes.io/created-by", "volsync")).build());
            job.getSpec().getTemplate().getSpec().setRestartPolicy("Never");
            job.getSpec().getTemplate().getSpec().setContainers(List.of(new ContainerBuilder().withName("restic")
                    .withImage(VolSyncObjects.IMAGE).build()));
            Job created = admin.batch().v1().jobs().inNamespace(NS).resource(job).create();
            // The real Job controller makes the pod (and would delete one made beside it); with no kubelet it stays
            // Pending, so the test fails it as a kubelet would.
            await().atMost(Duration.ofSeconds(30)).until(() -> !admin.pods().inNamespace(NS)
                    .withLabel("controller-uid", created.getMetadata().getUid()).list().getItems().isEmpty());
            Pod pod = admin.pods().inNamespace(NS).withLabel("controller-uid", created.getMetadata().getUid()).list().getItems().get(0);
            pod.setStatus(new PodStatusBuilder().withPhase("Failed").addNewContainerStatus().withName("restic").withImage(VolSyncObjects.IMAGE)
                    .withNewState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated().endState().endContainerStatus().build());
            admin.pods().inNamespace(NS).resource(pod).updateStatus();
        }
    }

    @AfterEach
    void restore() {
        ClusterRole current = role();
        current.setRules(complete.getRules());
        admin.rbac().clusterRoles().resource(current).update();
        Role lease = leaseRole();
        lease.setRules(completeLease.getRules());
        admin.rbac().roles().inNamespace(HUB_NS).resource(lease).update();
        admin.close();
    }

    Role leaseRole() {
        Role role = admin.rbac().roles().inNamespace(HUB_NS).withName(LEASE_ROLE).get();
        assertThat(role).as("agent-config grants the Lease").isNotNull();
        role.getMetadata().setManagedFields(null);
        return role;
    }

    /** The Lease is the right to act: with every rule the hub takes it and acts, under its own name. */
    @org.junit.jupiter.api.Test
    void withEveryRuleTheHubTakesTheLeaseAndActs(ControlPlane plane) throws Exception {
        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("rbac", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                JsonObject cluster = hub.api.list("/api/clusters").get(0);
                assertThat(cluster.getBoolean("acting")).as(cluster.encode()).isTrue();
                assertThat(cluster.getString("actingHub")).as(cluster.encode()).isNotBlank();
                assertThat(cluster.getString("error")).as(cluster.encode()).isNull();
            });
        }
    }

    /** Without one verb of the Lease's Role, no hub acts on the cluster, and the cluster says why. */
    @ParameterizedTest(name = "without lease verb {0}")
    @ValueSource(strings = {"get", "create", "patch"})
    void withoutTheLeaseRuleTheClusterSaysItCannotTakeTheLease(String verb, ControlPlane plane) throws Exception {
        Role reduced = leaseRole();
        assertThat(reduced.getRules()).singleElement().satisfies(r -> assertThat(r.getVerbs()).contains(verb));
        reduced.setRules(List.of(new io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder(reduced.getRules().get(0))
                .withVerbs(reduced.getRules().get(0).getVerbs().stream().filter(v -> !v.equals(verb)).toList()).build()));
        admin.rbac().roles().inNamespace(HUB_NS).resource(reduced).update();
        if (verb.equals("create")) {
            // Only a Lease that does not exist yet needs create: a hub of an earlier test left one (released).
            admin.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class).inNamespace(HUB_NS)
                    .withName("volsync-monitor-hub").delete();
        }

        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("rbac", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                JsonObject cluster = hub.api.list("/api/clusters").get(0);
                assertThat(cluster.getString("state")).as(cluster.encode()).isEqualTo("Connected");
                assertThat(cluster.getString("error")).as(cluster.encode()).contains("cannot take the lease: 403");
                assertThat(cluster.getBoolean("acting")).as(cluster.encode()).isFalse();
            });
        }
    }

    ClusterRole role() {
        ClusterRole role = admin.rbac().clusterRoles().withName("volsync-monitor-hub").get();
        role.getMetadata().setManagedFields(null);
        return role;
    }

    @ParameterizedTest(name = "without rule {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7, 8})
    void withoutAnyOneRuleTheClusterShowsThe403(int rule, ControlPlane plane) throws Exception {
        ClusterRole reduced = role();
        List<PolicyRule> rules = new ArrayList<>(reduced.getRules());
        PolicyRule removed = rules.remove(rule);
        reduced.setRules(rules);
        admin.rbac().clusterRoles().resource(reduced).update();
        String what = removed.getResources() + " " + removed.getVerbs();

        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("rbac", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                JsonObject cluster = hub.api.list("/api/clusters").get(0);
                assertThat(cluster.getString("error")).as("without " + what + ": " + cluster.encode()).isNotNull().contains("403");
            });
        }
    }

    /** Without its identity the cluster is still watched: the 403 shows, and that a second context of it cannot be told apart. */
    @org.junit.jupiter.api.Test
    void withoutTheIdentityRuleTheClusterIsWatchedAndSaysItCannotTellDuplicates(ControlPlane plane) throws Exception {
        ClusterRole reduced = role();
        reduced.setRules(reduced.getRules().stream().filter(r -> !r.getResources().contains("namespaces")).toList());
        assertThat(reduced.getRules()).hasSize(complete.getRules().size() - 1);
        admin.rbac().clusterRoles().resource(reduced).update();

        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("rbac", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                JsonObject cluster = hub.api.list("/api/clusters").get(0);
                assertThat(cluster.getString("state")).as(cluster.encode()).isEqualTo("Connected");
                assertThat(cluster.getString("error")).contains("403", "(refused: get namespace kube-system)",
                        "cannot tell whether another context reaches this cluster too");
                assertThat(cluster.getInteger("monitors")).as("watched all the same").isPositive();
            });
        }
    }

    /** The backups' read model needs ReplicationDestinations: without them the cluster is watched and names what was refused. */
    @org.junit.jupiter.api.Test
    void withoutTheReplicationDestinationRuleTheClusterSaysWhatIsRefused(ControlPlane plane) throws Exception {
        ClusterRole reduced = role();
        reduced.setRules(reduced.getRules().stream().filter(r -> !r.getResources().contains("replicationdestinations")).toList());
        assertThat(reduced.getRules()).hasSize(complete.getRules().size() - 1);
        admin.rbac().clusterRoles().resource(reduced).update();

        try (HubFixture hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), null, plane.kubeconfig("rbac", plane.hubToken))) {
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> {
                JsonObject cluster = hub.api.list("/api/clusters").get(0);
                assertThat(cluster.getString("state")).as(cluster.encode()).isEqualTo("Connected");
                assertThat(cluster.getString("error")).contains("403", "(refused: watch ReplicationDestinations)");
            });
        }
    }

    void load(String yaml) {
        for (HasMetadata item : admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items()) {
            admin.resource(item).forceConflicts().serverSideApply();
        }
    }
}

package com.rafaribe.homelab.hub.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.HubConfig;
import com.rafaribe.homelab.hub.cluster.ClusterVerticle;
import com.rafaribe.homelab.hub.testing.Backend;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.TestCluster;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The backups' read model: ReplicationSources and a ReplicationDestination as VolSync writes
 * them (spec, then status through its subresource), watched by the hub, shown in /api/backups and
 * on the event stream with a state each; a deleted one goes as a {@code backup-gone} event. On
 * mock API servers and on the real control plane (the hub as agent-config's identity).
 */
@ExtendWith(VertxExtension.class)
@ParameterizedClass(name = "on {0}")
@EnumSource(value = Backend.class, names = {"MOCK", "CONTROL_PLANE"})
class BackupsTest {
    static final String NS = "media";
    @Parameter
    Backend backend;

    @Test
    void everyBackupHasAStateAndADeletedOneGoes(Vertx vertx, @TempDir Path dir) throws Exception {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (TestCluster east = backend.start("east")) {
            VolSyncWorld.ensureNamespace(east.client(), NS);
            create(east, ClusterVerticle.REPLICATION_SOURCES, "healthy", "0 * * * *", now.minusSeconds(300), "Successful", now.minusSeconds(300));
            create(east, ClusterVerticle.REPLICATION_SOURCES, "late", "0 2 * * *", Instant.parse("2020-01-01T02:05:00Z"), "Successful",
                    Instant.parse("2020-01-01T02:05:00Z"));
            create(east, ClusterVerticle.REPLICATION_SOURCES, "failing", "0 * * * *", now.minusSeconds(3000), "Failed", now.minusSeconds(60));
            // A schedule no parser reads, a URL with a password: late after 26 h, the reason quotes it, redacted.
            create(east, ClusterVerticle.REPLICATION_SOURCES, "odd", "s3://backup:hunter2@minio.lan", now.minusSeconds(27 * 3600), "Successful",
                    now.minusSeconds(27 * 3600));
            // A bootstrap restore: a manual trigger, synced once long ago, never again.
            GenericKubernetesResource restore = resource(ClusterVerticle.REPLICATION_DESTINATIONS, "restore",
                    Map.of("trigger", Map.of("manual", "restore-once"), "restic", Map.of("repository", "restore-restic")),
                    Map.of("lastSyncTime", "2020-01-01T00:00:00Z", "lastManualSync", "restore-once",
                            "latestMoverStatus", Map.of("result", "Successful", "time", "2020-01-01T00:00:00Z")));
            VolSyncObjects.createWithStatus(east.client(), ClusterVerticle.REPLICATION_DESTINATIONS, restore);

            try (HubFixture hub = HubFixture.start(vertx, HubConfig.DEFAULT_RESYNC, null, Backend.kubeconfig(dir, List.of(east)))) {
                StringBuffer sse = new StringBuffer();
                CompletableFuture<HttpResponse<InputStream>> stream = SecretsNeverLeaveTest.openEventStream(hub.hub.httpPort(), sse);
                try {
                    await().atMost(HubFixture.WAIT).untilAsserted(() -> assertThat(states(hub)).containsExactlyInAnyOrderEntriesOf(Map.of(
                            "ReplicationSource/healthy", "Healthy", "ReplicationSource/late", "Late",
                            "ReplicationSource/failing", "Failing", "ReplicationSource/odd", "Late",
                            "ReplicationDestination/restore", "Healthy")));
                    JsonObject late = backup(hub, "late");
                    assertThat(late.getString("reason")).contains("no success since 2020-01-01T02:05:00Z", "schedule 0 2 * * *");
                    assertThat(late.getString("mover")).isEqualTo("restic");
                    assertThat(late.getString("trigger")).isEqualTo("schedule");
                    assertThat(late.getString("lastSyncTime")).isEqualTo("2020-01-01T02:05:00Z");
                    assertThat(backup(hub, "failing").getString("reason")).contains("the last sync failed");
                    assertThat(backup(hub, "restore").getString("trigger")).isEqualTo("manual");
                    String body = hub.api.get("/api/backups").body();
                    assertThat(body).doesNotContain("hunter2");
                    assertThat(backup(hub, "odd").getString("reason")).contains("more than 26 h (schedule s3://***@minio.lan cannot be read)");
                    assertThat(hub.api.list("/api/backups?state=Late&cluster=east")).extracting(b -> b.getString("name"))
                            .containsExactlyInAnyOrder("late", "odd");
                    assertThat(hub.api.list("/api/backups?state=Late&cluster=west")).isEmpty();
                    assertThat(hub.api.list("/api/backups?kind=ReplicationDestination")).extracting(b -> b.getString("name"))
                            .containsExactly("restore");

                    // The late one succeeds again: a backup event carries it back to Healthy.
                    var sources = east.client().genericKubernetesResources(ClusterVerticle.REPLICATION_SOURCES).inNamespace(NS);
                    GenericKubernetesResource synced = sources.withName("late").get();
                    synced.setAdditionalProperty("status", Map.of("lastSyncTime", now.toString(), "lastSyncDuration", "1m0s",
                            "latestMoverStatus", Map.of("result", "Successful", "time", now.toString())));
                    sources.resource(synced).updateStatus();
                    await().atMost(HubFixture.WAIT).untilAsserted(() -> assertThat(states(hub)).containsEntry("ReplicationSource/late", "Healthy"));
                    assertThat(sse.toString()).contains("event: backup\ndata: {\"cluster\":\"east\",\"kind\":\"ReplicationSource\",\"namespace\":\"media\",\"name\":\"late\"");

                    sources.withName("failing").delete();
                    await().atMost(HubFixture.WAIT).untilAsserted(() -> {
                        assertThat(states(hub)).doesNotContainKey("ReplicationSource/failing").hasSize(4);
                        assertThat(sse.toString()).contains("event: backup-gone");
                    });
                    String gone = sse.substring(sse.indexOf("event: backup-gone"));
                    assertThat(gone.lines().skip(1).findFirst().orElse("")).contains("\"name\":\"failing\"", "\"kind\":\"ReplicationSource\"");
                    assertThat(sse.toString()).doesNotContain("hunter2");
                } finally {
                    stream.cancel(true);
                }
            }
        }
    }

    static Map<String, String> states(HubFixture hub) {
        return hub.api.list("/api/backups").stream()
                .collect(Collectors.toMap(b -> b.getString("kind") + "/" + b.getString("name"), b -> b.getString("state")));
    }

    static JsonObject backup(HubFixture hub, String name) {
        return hub.api.list("/api/backups").stream().filter(b -> name.equals(b.getString("name"))).findFirst().orElseThrow();
    }

    static void create(TestCluster cluster, ResourceDefinitionContext type, String name, String schedule, Instant lastSync,
                       String result, Instant resultTime) {
        VolSyncObjects.createWithStatus(cluster.client(), type, VolSyncObjects.backup(type, NS, name, schedule, lastSync, result, resultTime));
    }

    static GenericKubernetesResource resource(ResourceDefinitionContext type, String name, Map<String, Object> spec, Map<String, Object> status) {
        return VolSyncObjects.resource(type, NS, name, spec, status);
    }
}

package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DashboardVerticleTest {
    DashboardVerticle dashboard;
    HttpClient http;

    @BeforeEach
    void deploy(Vertx vertx, VertxTestContext ctx) {
        LocalCodec.register(vertx);
        dashboard = new DashboardVerticle("127.0.0.1", 0);
        http = vertx.createHttpClient();
        vertx.deployVerticle(dashboard).onComplete(ctx.succeedingThenComplete());
    }

    private io.vertx.core.Future<HttpClientResponse> get(String path) {
        return http.request(HttpMethod.GET, dashboard.actualPort(), "127.0.0.1", path).compose(r -> r.send());
    }

    @Test
    void notReadyWhileAClusterIsConnectingThenReady(Vertx vertx, VertxTestContext ctx) {
        vertx.eventBus().publish(Addresses.READ_MODEL, new ClusterView("east", "https://e", "Connecting", null, Instant.now(), 0, 0));
        get("/readyz").compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).isEqualTo(503));
            vertx.eventBus().publish(Addresses.READ_MODEL, new ClusterView("east", "https://e", "Failed", "401 Unauthorized", Instant.now(), 0, 0));
            return get("/readyz");
        }).compose(r -> {
            ctx.verify(() -> assertThat(r.statusCode()).as("failed clusters do not hold readiness back").isEqualTo(200));
            return get("/api/clusters").compose(HttpClientResponse::body);
        }).onComplete(ctx.succeeding(body -> ctx.verify(() -> {
            JsonArray clusters = body.toJsonArray();
            assertThat(clusters).hasSize(1);
            assertThat(clusters.getJsonObject(0).getString("error")).isEqualTo("401 Unauthorized");
            assertThat(clusters.getJsonObject(0).getString("since")).endsWith("Z");
            ctx.completeNow();
        })));
    }

    @Test
    void failuresAreBoundedToTheNewest(Vertx vertx, VertxTestContext ctx) {
        for (int i = 0; i < ReadModel.MAX_FAILURES + 25; i++) {
            vertx.eventBus().publish(Addresses.READ_MODEL, new FailureView("east", "ns", "job", "pod-" + i, "uid-" + i,
                    "not-a-lock", "no lock conflict in the log", null, Instant.now()));
        }
        get("/api/failures").compose(HttpClientResponse::body).onComplete(ctx.succeeding(body -> ctx.verify(() -> {
            JsonArray failures = body.toJsonArray();
            assertThat(failures).hasSize(ReadModel.MAX_FAILURES);
            assertThat(failures.getJsonObject(failures.size() - 1).getString("failedPodUid")).isEqualTo("uid-" + (ReadModel.MAX_FAILURES + 24));
            ctx.completeNow();
        })));
    }
}

package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.bus.Addresses;
import com.rafaribe.homelab.hub.api.bus.ClustersConfigured;
import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.ClusterView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.FailureView;
import com.rafaribe.homelab.hub.api.bus.ReadModelUpdate.UnlockView;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DashboardVerticleTest {
    DashboardVerticle dashboard;
    HttpClient http;
    String deploymentId;

    @BeforeEach
    void deploy(Vertx vertx, VertxTestContext ctx) {
        LocalCodec.register(vertx);
        dashboard = new DashboardVerticle("127.0.0.1", 0, null, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        http = vertx.createHttpClient();
        vertx.deployVerticle(dashboard).onComplete(ctx.succeeding(id -> {
            deploymentId = id;
            ctx.completeNow();
        }));
    }

    private io.vertx.core.Future<HttpClientResponse> get(String path) {
        return http.request(HttpMethod.GET, dashboard.actualPort(), "127.0.0.1", path).compose(r -> r.send());
    }

    @Test
    void notReadyBeforeTheKubeconfigsAreRead(Vertx vertx, VertxTestContext ctx) {
        get("/readyz").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
            assertThat(r.statusCode()).as("no cluster heard of, none configured yet").isEqualTo(503);
            ctx.completeNow();
        })));
    }

    @Test
    void notReadyWhileAClusterIsConnectingThenReady(Vertx vertx, VertxTestContext ctx) {
        vertx.eventBus().publish(Addresses.CLUSTERS_CONFIGURED, new ClustersConfigured(java.util.Set.of("east")));
        vertx.eventBus().publish(Addresses.READ_MODEL, new ClusterView("east", "https://e", "Connecting", null, Instant.now(), 0, 0, null));
        get("/readyz").compose(r -> r.body().map(b -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).isEqualTo(503);
                assertThat(b.toJsonObject().getMap()).as("an open probe tells readiness, nothing of the clusters")
                        .containsExactly(java.util.Map.entry("ready", false));
                assertThat(dashboard.firstReady().isComplete()).as("first ready, while a cluster connects").isFalse();
            });
            return r;
        })).compose(r -> {
            vertx.eventBus().publish(Addresses.READ_MODEL, new ClusterView("east", "https://e", "Failed", "401 Unauthorized", Instant.now(), 0, 0, null));
            return get("/readyz");
        }).compose(r -> {
            ctx.verify(() -> {
                assertThat(r.statusCode()).as("failed clusters do not hold readiness back").isEqualTo(200);
                assertThat(dashboard.firstReady().isComplete()).as("first ready, once /readyz says so").isTrue();
            });
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

    static UnlockView unlock(String state, Instant detected, Instant created, Instant finished) {
        return new UnlockView("east", "media", "homelab-assistant-system/volsync-monitor", "sonarr", "volsync-src-sonarr",
                "volsync-src-sonarr-x7k2p", "uid-1", created == null ? null : "volsync-unlock-sonarr-1", state, "why", "locked by PID 1",
                "volsync-src-sonarr-a1b2c", "east/media/repo", detected, created, finished, null);
    }

    @Test
    void theEventStreamStartsWithASnapshotThenSendsEachChange(Vertx vertx, VertxTestContext ctx) {
        vertx.eventBus().publish(Addresses.READ_MODEL, new ClusterView("east", "https://e", "Connected", null, Instant.now(), 1, 2, null));
        StringBuilder received = new StringBuilder();
        get("/api/clusters").compose(r -> http.request(HttpMethod.GET, dashboard.actualPort(), "127.0.0.1", "/api/events"))
                .compose(r -> r.send()).onComplete(ctx.succeeding(response -> {
                    ctx.verify(() -> assertThat(response.getHeader("content-type")).startsWith("text/event-stream"));
                    response.handler(chunk -> {
                        received.append(chunk.toString());
                        if (received.indexOf("event: snapshot") >= 0 && received.indexOf("event: cluster") < 0) {
                            ctx.verify(() -> assertThat(received.toString()).contains("retry: ", "\"name\":\"east\""));
                            vertx.eventBus().publish(Addresses.READ_MODEL,
                                    new ClusterView("west", "https://w", "Failed", "403 Forbidden", Instant.now(), 0, 0, null));
                        }
                        if (received.indexOf("event: cluster\ndata: {\"name\":\"west\"") >= 0) {
                            response.request().connection().close();
                            ctx.completeNow();
                        }
                    });
                }));
    }

    @Test
    void undeployingWithLiveEventStreamsEndsThemAndSucceeds(Vertx vertx, VertxTestContext ctx) {
        // Every stream ends with the dashboard, also one whose browser is leaving at that moment
        // (its close handler removes it from the set stop() walks).
        int streams = 3;
        AtomicInteger snapshots = new AtomicInteger();
        AtomicInteger over = new AtomicInteger();
        Checkpoint undeployed = ctx.checkpoint();
        Checkpoint allOver = ctx.checkpoint();
        Runnable oneOver = () -> {
            if (over.incrementAndGet() == streams) {
                allOver.flag();
            }
        };
        // Asked from one event loop: each response's handlers are then set when its head arrives, before its first
        // chunk. Asked from the test's thread, a response could arrive before its handlers were set, its snapshot unseen.
        vertx.runOnContext(start -> {
            for (int i = 0; i < streams; i++) {
                http.request(HttpMethod.GET, dashboard.actualPort(), "127.0.0.1", "/api/events").compose(r -> r.send())
                        .onComplete(ctx.succeeding(response -> {
                            // Over for the browser when it ends, or when its connection closes under it.
                            response.endHandler(v -> oneOver.run());
                            response.exceptionHandler(e -> oneOver.run());
                            // A frame may arrive in pieces: look for the snapshot in what this stream received so far, once.
                            StringBuilder received = new StringBuilder();
                            response.handler(chunk -> {
                                boolean before = received.indexOf("event: snapshot") >= 0;
                                received.append(chunk.toString());
                                if (!before && received.indexOf("event: snapshot") >= 0 && snapshots.incrementAndGet() == streams) {
                                    response.request().connection().close();
                                    vertx.undeploy(deploymentId).onComplete(ctx.succeeding(v -> undeployed.flag()));
                                }
                            });
                        }));
            }
        });
    }

    @Test
    void metricsCountEachUnlockOnceAndTimeIt(Vertx vertx, VertxTestContext ctx) {
        Instant detected = Instant.now();
        vertx.eventBus().publish(Addresses.READ_MODEL, new ClusterView("east", "https://e", "Connected", null, detected, 1, 2, null));
        vertx.eventBus().publish(Addresses.READ_MODEL, unlock("Queued", detected, null, null));
        vertx.eventBus().publish(Addresses.READ_MODEL, unlock("Running", detected, detected.plusSeconds(3), null));
        vertx.eventBus().publish(Addresses.READ_MODEL, unlock("Running", detected, detected.plusSeconds(3), null));
        vertx.eventBus().publish(Addresses.READ_MODEL, unlock("Succeeded", detected, detected.plusSeconds(3), detected.plusSeconds(10)));
        get("/metrics").compose(HttpClientResponse::body).onComplete(ctx.succeeding(body -> ctx.verify(() -> {
            assertThat(body.toString()).contains(
                    "volsync_hub_cluster_state{cluster=\"east\",state=\"Connected\"} 1",
                    "volsync_hub_cluster_state{cluster=\"east\",state=\"Failed\"} 0",
                    "volsync_hub_lock_errors_detected_total{cause=\"unknown\",cluster=\"east\"} 1",
                    "volsync_hub_unlock_jobs_total{cluster=\"east\",event=\"created\"} 1",
                    "volsync_hub_unlock_jobs_total{cluster=\"east\",event=\"succeeded\"} 1",
                    "volsync_hub_unlock_creation_delay_seconds_bucket{cluster=\"east\",le=\"5.0\"} 1",
                    "volsync_hub_unlock_duration_seconds_count{cluster=\"east\"} 1",
                    "volsync_hub_unlocks_active{cluster=\"east\"} 0");
            ctx.completeNow();
        })));
    }

    @Test
    void aTokenGuardsTheApiAndPagesButNotHealthOrMetrics(Vertx vertx, VertxTestContext ctx) {
        DashboardVerticle guarded = new DashboardVerticle("127.0.0.1", 0, DashboardAuthTest.TOKEN, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
        vertx.deployVerticle(guarded).compose(id -> {
            int port = guarded.actualPort();
            Future<HttpClientResponse> api = send(port, HttpMethod.GET, "/api/clusters", null, null);
            Future<HttpClientResponse> page = send(port, HttpMethod.GET, "/", null, null);
            Future<HttpClientResponse> health = send(port, HttpMethod.GET, "/healthz", null, null);
            Future<HttpClientResponse> metrics = send(port, HttpMethod.GET, "/metrics", null, null);
            Future<HttpClientResponse> bearer = send(port, HttpMethod.GET, "/api/clusters", MultiMap.caseInsensitiveMultiMap()
                    .add("authorization", "Bearer " + DashboardAuthTest.TOKEN), null);
            Future<HttpClientResponse> login = send(port, HttpMethod.POST, "/login", MultiMap.caseInsensitiveMultiMap()
                    .add("content-type", "application/x-www-form-urlencoded"), Buffer.buffer("token=" + DashboardAuthTest.TOKEN));
            return Future.all(api, page, health, metrics, bearer, login).compose(all -> {
                ctx.verify(() -> {
                    assertThat(api.result().statusCode()).isEqualTo(401);
                    assertThat(api.result().getHeader("www-authenticate")).startsWith("Bearer");
                    assertThat(page.result().statusCode()).isEqualTo(302);
                    assertThat(page.result().getHeader("location")).isEqualTo("/login.html");
                    assertThat(page.result().getHeader("content-security-policy")).contains("script-src 'self'");
                    assertThat(health.result().statusCode()).isEqualTo(200);
                    assertThat(metrics.result().statusCode()).isEqualTo(200);
                    assertThat(bearer.result().statusCode()).isEqualTo(200);
                    assertThat(login.result().statusCode()).isEqualTo(303);
                    assertThat(login.result().cookies()).singleElement().asString()
                            .containsIgnoringCase("HttpOnly").contains("hub_session=", "SameSite=Strict").doesNotContain(DashboardAuthTest.TOKEN);
                });
                String cookie = login.result().cookies().get(0).split(";")[0];
                return send(port, HttpMethod.GET, "/api/clusters", MultiMap.caseInsensitiveMultiMap().add("cookie", cookie), null);
            });
        }).onComplete(ctx.succeeding(withCookie -> ctx.verify(() -> {
            assertThat(withCookie.statusCode()).as("the login cookie").isEqualTo(200);
            ctx.completeNow();
        })));
    }

    private Future<HttpClientResponse> send(int port, HttpMethod method, String path, MultiMap headers, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(method).setPort(port).setHost("127.0.0.1").setURI(path);
        if (headers != null) {
            options.setHeaders(headers);
        }
        return http.request(options).compose(r -> body == null ? r.send() : r.send(body));
    }
}

package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import com.rafaribe.homelab.hub.testing.HubApi;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /healthz fails when an event loop of the hub is blocked, and recovers when it runs again. */
class EventLoopLivenessTest {
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(3).setBlockedThreadCheckInterval(60_000));
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void close() throws Exception {
        release.countDown();
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void healthzIs503WhileAnotherEventLoopIsBlockedAndOkOnceItRunsAgain() throws Exception {
        LocalCodec.register(vertx);
        DashboardVerticle dashboard = new DashboardVerticle("127.0.0.1", 0, null, null, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                HttpLimits.DEFAULT, Duration.ofSeconds(1));
        vertx.deployVerticle(dashboard).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        HubApi api = new HubApi(dashboard.actualPort());
        assertThat(api.get("/healthz").statusCode()).isEqualTo(200);

        EventLoop own = ((ContextInternal) dashboard.eventLoopContext()).nettyEventLoop();
        List<EventExecutor> others = new ArrayList<>();
        ((VertxInternal) vertx).nettyEventLoopGroup().forEach(e -> {
            if (e != own) {
                others.add(e);
            }
        });
        assertThat(others).as("loops besides the dashboard's").isNotEmpty();
        CountDownLatch blocked = new CountDownLatch(1);
        others.get(0).execute(() -> {
            blocked.countDown();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/healthz").statusCode() == 503);
        assertThat(api.get("/healthz").body()).contains("\"blockedEventLoops\":1");

        release.countDown();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> api.get("/healthz").statusCode() == 200);
    }
}

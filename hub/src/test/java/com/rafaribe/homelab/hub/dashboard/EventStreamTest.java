package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** An update nobody listens to costs no JSON: the hub's start-up publishes thousands before any dashboard opens. */
@ExtendWith(VertxExtension.class)
class EventStreamTest {
    @Test
    void withNoDashboardOpenAnUpdateIsNotTurnedIntoJson(Vertx vertx) {
        EventStream stream = new EventStream(vertx, 10, 2);
        AtomicInteger made = new AtomicInteger();
        try {
            stream.publish("cluster", () -> {
                made.incrementAndGet();
                return new JsonObject().put("name", "east");
            });
        } finally {
            stream.close();
        }
        assertThat(stream.clients()).isZero();
        assertThat(made).as("times the update was made into JSON").hasValue(0);
    }
}

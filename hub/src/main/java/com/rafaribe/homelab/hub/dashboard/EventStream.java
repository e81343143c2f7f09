package com.rafaribe.homelab.hub.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * {@code GET /api/events}: Server-Sent Events. A client first gets a {@code snapshot} of
 * everything, then one event per read-model update. A client that cannot keep up is dropped
 * rather than buffered: its browser reconnects on its own and starts again from a snapshot.
 */
final class EventStream {
    static final int MAX_CLIENTS = 64;
    static final long KEEPALIVE_MILLIS = 15_000;
    /** How long a browser waits before it reconnects. */
    static final long RETRY_MILLIS = 2_000;

    private final Set<HttpServerResponse> clients = new LinkedHashSet<>();
    private final Vertx vertx;
    private final long keepalive;

    EventStream(Vertx vertx) {
        this.vertx = vertx;
        this.keepalive = vertx.setPeriodic(KEEPALIVE_MILLIS, id -> clients.forEach(c -> write(c, ": keepalive\n\n")));
    }

    void open(RoutingContext ctx, JsonObject snapshot) {
        HttpServerResponse response = ctx.response();
        if (clients.size() >= MAX_CLIENTS) {
            response.setStatusCode(503).putHeader("retry-after", "10").end("too many live dashboards");
            return;
        }
        response.setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-store")
                // Proxies such as nginx buffer responses unless told not to; an event stream must flow.
                .putHeader("x-accel-buffering", "no");
        clients.add(response);
        response.closeHandler(v -> clients.remove(response));
        response.exceptionHandler(e -> clients.remove(response));
        write(response, "retry: " + RETRY_MILLIS + "\n" + event("snapshot", snapshot));
    }

    void publish(String type, JsonObject data) {
        String frame = event(type, data);
        for (HttpServerResponse client : Set.copyOf(clients)) {
            if (client.writeQueueFull()) {
                clients.remove(client);
                client.reset();
            } else {
                write(client, frame);
            }
        }
    }

    int clients() {
        return clients.size();
    }

    void close() {
        vertx.cancelTimer(keepalive);
        clients.forEach(HttpServerResponse::end);
        clients.clear();
    }

    /** JSON has no raw newline, so one {@code data:} line carries it. */
    static String event(String type, JsonObject data) {
        return "event: " + type + "\ndata: " + data.encode() + "\n\n";
    }

    private void write(HttpServerResponse client, String text) {
        client.write(text).onFailure(e -> clients.remove(client));
    }
}

package com.rafaribe.homelab.hub.dashboard;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code GET /api/events}: Server-Sent Events. A client first gets a {@code snapshot} of
 * everything, then one event per read-model update. A client that cannot keep up is dropped
 * rather than buffered: its browser reconnects on its own and starts again from a snapshot.
 */
final class EventStream {
    static final long KEEPALIVE_MILLIS = 15_000;
    /** How long a browser waits before it reconnects. */
    static final long RETRY_MILLIS = 2_000;

    /** Each live stream and its client's address. */
    private final Map<HttpServerResponse, String> clients = new LinkedHashMap<>();
    /** Live streams per client address: one neighbour cannot take every slot. */
    private final Map<String, Integer> perAddress = new HashMap<>();
    private final Vertx vertx;
    private final int max;
    private final int maxPerAddress;
    private final long keepalive;

    EventStream(Vertx vertx, int max, int maxPerAddress) {
        this.vertx = vertx;
        this.max = max;
        this.maxPerAddress = maxPerAddress;
        this.keepalive = vertx.setPeriodic(KEEPALIVE_MILLIS, id -> List.copyOf(clients.keySet()).forEach(c -> write(c, ": keepalive\n\n")));
    }

    void open(RoutingContext ctx, JsonObject snapshot) {
        HttpServerResponse response = ctx.response();
        String address = TokenAuth.address(ctx);
        if (clients.size() >= max) {
            response.setStatusCode(503).putHeader("retry-after", "10").end("too many live dashboards");
            return;
        }
        if (perAddress.getOrDefault(address, 0) >= maxPerAddress) {
            response.setStatusCode(429).putHeader("retry-after", "10").end("too many live dashboards from this address");
            return;
        }
        response.setChunked(true)
                .putHeader("content-type", "text/event-stream; charset=utf-8")
                .putHeader("cache-control", "no-store")
                // Proxies such as nginx buffer responses unless told not to; an event stream must flow.
                .putHeader("x-accel-buffering", "no");
        clients.put(response, address);
        perAddress.merge(address, 1, Integer::sum);
        response.closeHandler(v -> remove(response));
        response.exceptionHandler(e -> remove(response));
        write(response, "retry: " + RETRY_MILLIS + "\n" + event("snapshot", snapshot));
    }

    /** @param data made only when a dashboard listens: with none open, an update costs no JSON (the hub's start-up makes thousands) */
    void publish(String type, Supplier<JsonObject> data) {
        if (clients.isEmpty()) {
            return;
        }
        String frame = event(type, data.get());
        for (HttpServerResponse client : Set.copyOf(clients.keySet())) {
            if (client.writeQueueFull()) {
                remove(client);
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
        // Ending a response can run its close or failure handler at once, which removes it from
        // clients: walk a copy.
        List<HttpServerResponse> open = List.copyOf(clients.keySet());
        clients.clear();
        open.forEach(HttpServerResponse::end);
        perAddress.clear();
    }

    /** JSON has no raw newline, so one {@code data:} line carries it. */
    static String event(String type, JsonObject data) {
        return "event: " + type + "\ndata: " + data.encode() + "\n\n";
    }

    private void write(HttpServerResponse client, String text) {
        client.write(text).onFailure(e -> remove(client));
    }

    private void remove(HttpServerResponse client) {
        String address = clients.remove(client);
        if (address != null) {
            perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
    }
}

package com.rafaribe.homelab.hub.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

/** The hub's HTTP API, called from the test thread as a user's script would. */
public final class HubApi {
    private final HttpClient http = HttpClient.newHttpClient();
    private final int port;
    private final String token;

    public HubApi(int port) {
        this(port, null);
    }

    /** With the dashboard token, sent as a script sends it: {@code Authorization: Bearer}. */
    public HubApi(int port, String token) {
        this.port = port;
        this.token = token;
    }

    public HttpResponse<String> get(String path) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public List<JsonObject> list(String path) {
        HttpResponse<String> r = get(path);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
        }
        return new JsonArray(r.body()).stream().map(o -> (JsonObject) o).toList();
    }
}

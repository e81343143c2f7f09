package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.api.bus.LocalCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's guard against a neighbour who reaches its port, through a real HTTP client. */
class DashboardAuthTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef-dashboard";
    static final String NEW_TOKEN = "fedcba9876543210fedcba9876543210-rotated";

    final Vertx vertx = Vertx.vertx();
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).build();
    DashboardVerticle dashboard;

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void start(String token, Path tokenFile, HttpLimits limits) throws Exception {
        LocalCodec.register(vertx);
        dashboard = new DashboardVerticle("127.0.0.1", 0, token, tokenFile, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), limits);
        vertx.deployVerticle(dashboard).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.actualPort() + path)).timeout(Duration.ofSeconds(10));
    }

    HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> bearer(String token) throws IOException, InterruptedException {
        return send(request("/api/clusters").header("authorization", "Bearer " + token));
    }

    HttpResponse<String> login(String token) throws IOException, InterruptedException {
        return send(request("/login").header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + token)));
    }

    static String cookie(HttpResponse<?> login) {
        return login.headers().firstValue("set-cookie").orElseThrow().split(";")[0];
    }

    HttpResponse<String> withCookie(String cookie) throws IOException, InterruptedException {
        return send(request("/api/clusters").header("cookie", cookie));
    }

    @Test
    void aTokenShorterThan32CharactersIsRefusedWithoutQuotingIt() {
        assertThatThrownBy(() -> new DashboardVerticle("127.0.0.1", 0, "t0ken", new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 characters").hasMessageNotContaining("t0ken");
        assertThat(DashboardTokens.checked(" " + TOKEN + "\n")).isEqualTo(TOKEN);
    }

    @Test
    void theLoginTakesNoUploadAndNoLargeBody() throws Exception {
        start(TOKEN, null, HttpLimits.DEFAULT);
        String boundary = "b0undary";
        String multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\n" + TOKEN + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                + "x".repeat(2000) + "\r\n--" + boundary + "--\r\n";
        HttpResponse<String> upload = send(request("/login").header("content-type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(multipart)));
        assertThat(upload.statusCode()).as("a multipart login").isEqualTo(415);
        assertThat(upload.headers().firstValue("set-cookie")).isEmpty();
        HttpResponse<String> large = send(request("/login").header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + TOKEN + "&pad=" + "x".repeat(5000))));
        assertThat(large.statusCode()).as("a login form over 4 KiB").isEqualTo(413);
        assertThat(send(request("/api/clusters").header("authorization", "Bearer " + TOKEN)
                .method("GET", HttpRequest.BodyPublishers.ofString("x".repeat(5000)))).statusCode()).as("any other body over 4 KiB").isEqualTo(413);
        assertThat(login(TOKEN).statusCode()).as("the form still logs in").isEqualTo(303);
        assertThat(Path.of("file-uploads")).as("BodyHandler's default upload folder, in the working directory").doesNotExist();
    }

    @Test
    void wrongTokensFromOneAddressAreAnswered429WithARetryAfterThatDoubles() throws Exception {
        start(TOKEN, null, HttpLimits.DEFAULT);
        for (int i = 1; i < LoginBackoff.FREE_FAILURES; i++) {
            assertThat(bearer("wrong-" + i).statusCode()).isEqualTo(401);
        }
        HttpResponse<String> blocked = login("wrong-5");
        assertThat(blocked.statusCode()).isEqualTo(429);
        assertThat(blocked.headers().firstValue("retry-after")).hasValue(String.valueOf(LoginBackoff.FIRST_BLOCK.toSeconds()));
        HttpResponse<String> right = bearer(TOKEN);
        assertThat(right.statusCode()).as("while blocked, not even the right token is looked at").isEqualTo(429);
        assertThat(body(right)).doesNotContain(TOKEN);
    }

    static String body(HttpResponse<String> r) {
        return r.body();
    }

    @Test
    void theSessionCookieIsRandomAndLogoutEndsItOnTheServer() throws Exception {
        start(TOKEN, null, HttpLimits.DEFAULT);
        HttpResponse<String> first = login(TOKEN);
        HttpResponse<String> second = login(TOKEN);
        String cookie = cookie(first);
        assertThat(first.headers().firstValue("set-cookie").orElseThrow()).containsIgnoringCase("HttpOnly").contains("SameSite=Strict", "Max-Age=43200");
        assertThat(cookie).as("a session per login, not HMAC(token, constant)").isNotEqualTo(cookie(second)).doesNotContain(TOKEN);
        assertThat(withCookie(cookie).statusCode()).isEqualTo(200);
        assertThat(withCookie(cookie + "x").statusCode()).as("a forged MAC").isEqualTo(401);
        HttpResponse<String> logout = send(request("/logout").header("cookie", cookie).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(logout.statusCode()).isEqualTo(303);
        assertThat(withCookie(cookie).statusCode()).as("a copy of the cookie after logout").isEqualTo(401);
        assertThat(withCookie(cookie(second)).statusCode()).as("another session goes on").isEqualTo(200);
    }

    @Test
    void aNewTokenInTheFileIsTakenWithoutARestartAndEndsTheOldSessions() throws Exception {
        Path file = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        start(TOKEN, file, new HttpLimits(Duration.ofSeconds(60), Duration.ofMillis(100), 64, 8, 4096));
        String session = cookie(login(TOKEN));
        Files.writeString(file, "short\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(5)));
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> bearer(TOKEN).statusCode() == 200);
        Files.writeString(file, NEW_TOKEN + "\n");
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().plusSeconds(10)));
        await().atMost(Duration.ofSeconds(10)).until(() -> bearer(NEW_TOKEN).statusCode() == 200);
        assertThat(bearer(TOKEN).statusCode()).isEqualTo(401);
        assertThat(withCookie(session).statusCode()).as("a session of the old token").isEqualTo(401);
    }

    @Test
    void oneAddressGetsOnlyItsShareOfTheEventStreams() throws Exception {
        start(TOKEN, null, new HttpLimits(Duration.ofSeconds(60), Duration.ofSeconds(10), 64, 2, 4096));
        List<HttpResponse<java.io.InputStream>> open = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                open.add(http.send(request("/api/events").header("authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream()));
                assertThat(open.get(i).statusCode()).isEqualTo(200);
            }
            HttpResponse<String> third = bearerEvents();
            assertThat(third.statusCode()).isEqualTo(429);
            assertThat(third.headers().firstValue("retry-after")).isPresent();
            open.remove(0).body().close();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                HttpResponse<java.io.InputStream> again = http.send(request("/api/events").header("authorization", "Bearer " + TOKEN).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                if (again.statusCode() == 200) {
                    open.add(again);
                    return true;
                }
                again.body().close();
                return false;
            });
        } finally {
            for (HttpResponse<java.io.InputStream> r : open) {
                r.body().close();
            }
        }
    }

    HttpResponse<String> bearerEvents() throws IOException, InterruptedException {
        return send(request("/api/events").header("authorization", "Bearer " + TOKEN));
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        start(TOKEN, null, new HttpLimits(Duration.ofMillis(300), Duration.ofSeconds(10), 64, 8, 4096));
        try (Socket socket = new Socket("127.0.0.1", dashboard.actualPort())) {
            socket.setSoTimeout(10_000);
            long started = System.nanoTime();
            assertThat(socket.getInputStream().read()).as("the server closed the silent connection").isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    /** Bound to every address (reached here through loopback): the page must say that anyone may look. */
    @Test
    void anOpenDashboardOnEveryAddressSaysSoOnThePage() throws Exception {
        LocalCodec.register(vertx);
        dashboard = new DashboardVerticle("0.0.0.0", 0, null, null, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), HttpLimits.DEFAULT);
        vertx.deployVerticle(dashboard).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(send(request("/api/session")).body()).contains("\"tokenRequired\":false", "\"openToNetwork\":true");
        assertThat(send(request("/")).body()).contains("id=\"open-banner\"", "--insecure-open-dashboard");
    }

    @Test
    void anOpenDashboardOnLoopbackHasNoBanner() throws Exception {
        start(null, null, HttpLimits.DEFAULT);
        assertThat(send(request("/api/session")).body()).contains("\"tokenRequired\":false", "\"openToNetwork\":false");
        assertThat(BindAddress.loopback("127.0.0.1")).isTrue();
        assertThat(BindAddress.loopback("::1")).isTrue();
        assertThat(BindAddress.loopback("localhost")).isTrue();
        assertThat(BindAddress.loopback("0.0.0.0")).isFalse();
        assertThat(BindAddress.loopback("::")).isFalse();
        assertThat(BindAddress.loopback("192.168.1.5")).isFalse();
        assertThat(BindAddress.loopback("hub.example.com")).isFalse();
    }
}

package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.HubJar;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the packaged jar gives a neighbour who reaches its port: nothing without the token. */
class DashboardJarIT {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    record Result(int exit, String out) {
    }

    Result run(String... args) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(HubJar.command(args)).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    Path kubeconfig() throws IOException {
        return Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
    }

    @Test
    void aShortTokenOrAnOpenNetworkAddressStopsTheStart() throws Exception {
        Path shortToken = Files.writeString(dir.resolve("token"), "abc\n");
        Result tooShort = run("run", "--kubeconfig", kubeconfig().toString(), "--dashboard-token-file", shortToken.toString());
        assertThat(tooShort.exit()).as(tooShort.out()).isEqualTo(2);
        assertThat(tooShort.out()).contains("at least 32 characters");
        Result open = run("run", "--kubeconfig", kubeconfig().toString(), "--http-host", "0.0.0.0");
        assertThat(open.exit()).as(open.out()).isEqualTo(2);
        assertThat(open.out()).contains("--insecure-open-dashboard");
    }

    @Test
    void theJarListensOnLoopbackAndGivesAwayNoSecretUploadOrUnlimitedGuesses() throws Exception {
        Path leaky = Files.createDirectories(dir.resolve("kubeconfigs")).resolve("leaky");
        Files.writeString(leaky, "apiVersion: v1\nusers:\n- name: u\n  user:\n    token: LEAKED-TOKEN-1234 :bad: [\n");
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        Path log = dir.resolve("log");
        ProcessBuilder builder = new ProcessBuilder(HubJar.command(List.of("-Xmx128m"), List.of("run", "--http-port", "0")))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().remove("KUBERNETES_SERVICE_HOST");
        builder.environment().put("HUB_KUBECONFIG", leaky.getParent().toString());
        builder.environment().put("HUB_DASHBOARD_TOKEN_FILE", token.toString());
        Process hub = builder.start();
        try {
            Pattern listening = Pattern.compile("http://([0-9.]+):(\\d+)/");
            AtomicInteger port = new AtomicInteger();
            String[] host = new String[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Matcher m = listening.matcher(Files.readString(log));
                if (m.find()) {
                    host[0] = m.group(1);
                    port.set(Integer.parseInt(m.group(2)));
                }
                return port.get() > 0;
            });
            assertThat(host[0]).as("outside a pod, without --http-host").isEqualTo("127.0.0.1");
            String base = "http://127.0.0.1:" + port.get();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get(base + "/readyz", null).statusCode() == 200);
            assertThat(get(base + "/readyz", null).body()).isEqualTo("{\"ready\":true}");
            String clusters = get(base + "/api/clusters", TOKEN).body();
            assertThat(clusters).contains("line 5, column 34: mapping values are not allowed here").doesNotContain("LEAKED");
            assertThat(Files.readString(log)).contains("line 5, column 34").doesNotContain("LEAKED");

            String boundary = "b0undary";
            HttpResponse<String> upload = http.send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("content-type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString("--" + boundary + "\r\nContent-Disposition: form-data; name=\"f\"; "
                            + "filename=\"f\"\r\n\r\n" + "x".repeat(1000) + "\r\n--" + boundary + "--\r\n")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(upload.statusCode()).isEqualTo(415);
            assertThat(dir.resolve("file-uploads")).as("no upload folder in the working directory").doesNotExist();

            for (int i = 0; i < 4; i++) {
                assertThat(get(base + "/api/clusters", "wrong-" + i).statusCode()).isEqualTo(401);
            }
            HttpResponse<String> blocked = get(base + "/api/clusters", "wrong-5");
            assertThat(blocked.statusCode()).isEqualTo(429);
            assertThat(blocked.headers().firstValue("retry-after")).hasValue("30");
            assertThat(Files.readString(log)).contains("wrong Bearer token from 127.0.0.1");
        } finally {
            hub.destroy();
            assertThat(hub.waitFor(30, TimeUnit.SECONDS)).as("the hub stops on SIGTERM").isTrue();
        }
    }

    HttpResponse<String> get(String url, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            request.header("authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}

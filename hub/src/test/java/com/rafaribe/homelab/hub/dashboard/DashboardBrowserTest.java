package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.cluster.ClusterVerticle;
import com.rafaribe.homelab.hub.sandbox.Sandbox;
import com.rafaribe.homelab.hub.sandbox.SandboxApiServer;
import com.rafaribe.homelab.hub.testing.Browser;
import com.rafaribe.homelab.hub.testing.HubFixture;
import com.rafaribe.homelab.hub.testing.Jwt;
import com.rafaribe.homelab.hub.testing.TcpProxy;
import com.rafaribe.homelab.hub.testing.Teardown;
import com.rafaribe.homelab.hub.testing.Tier;
import com.rafaribe.homelab.hub.testing.VolSyncObjects;
import com.rafaribe.homelab.hub.testing.VolSyncWorld;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Tier 5 on tier 3: the dashboard in headless Chromium, against the hub watching two sandbox
 * clusters (and a bare API server for hostile names), with a dashboard token configured. The
 * first test logs in; the others run in that session, so every live update below also proves
 * that the page works through the login cookie.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {
    static final String TOKEN = "s3cret-dashboard-token-0123456789abcdef";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Instant LAB_EXPIRES = Instant.now().plus(Duration.ofDays(3)).plus(Duration.ofHours(2));

    static Path root;
    static Sandbox main;
    static Sandbox nas;
    static SandboxApiServer lab;
    static HubFixture hub;
    static Path kubeconfig;
    static Browser browser;
    static String url;

    @BeforeAll
    static void start() throws Exception {
        Tier.requireSandbox();
        Browser.requireInstalled();
        root = Files.createTempDirectory("dashboard-browser-test");
        main = Sandbox.start("homelab-main", root.resolve("main"), List.of("prowlarr"), null);
        nas = Sandbox.start("homelab-nas", root.resolve("nas"), List.of("paperless"), null);
        lab = SandboxApiServer.start("lab");
        VolSyncWorld.applyHubMonitor(lab, "{enabled: true}");
        kubeconfig = SandboxApiServer.kubeconfig(Files.createDirectories(root.resolve("hub")), main.api, nas.api, lab);
        // lab: a token that expires in 3 days, and TLS verification off, as a hand-written kubeconfig may have it.
        Files.writeString(kubeconfig, Files.readString(kubeconfig)
                .replace("token: token-lab\n", "token: " + Jwt.expiring(LAB_EXPIRES) + "\n")
                .replace("server: " + lab.url() + "\n", "server: " + lab.url() + "\n    insecure-skip-tls-verify: true\n"));
        hub = HubFixture.start(Vertx.vertx(), Duration.ofSeconds(5), TOKEN, kubeconfig);
        url = "http://127.0.0.1:" + hub.hub.httpPort();
        browser = Browser.start();
    }

    @AfterAll
    static void stop() throws Exception {
        Teardown.close(root, browser, hub, main, nas, lab);
    }

    @AfterEach
    void theConsoleHasNoErrors() {
        assertThat(browser.console()).as("browser console").noneMatch(e -> e.getLevel().intValue() >= Level.SEVERE.intValue());
    }

    @Test
    @Order(1)
    void withATokenNothingIsShownWithoutItAndTheLoginFormOpensThePage() throws Exception {
        assertThat(get("/api/clusters", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/events", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/clusters", "Bearer " + TOKEN).statusCode()).as("a script's Bearer token").isEqualTo(200);
        assertThat(get("/api/clusters", "Bearer not-it").statusCode()).isEqualTo(401);
        assertThat(get("/healthz", null).statusCode()).isEqualTo(200);
        assertThat(get("/metrics", null).statusCode()).isEqualTo(200);

        browser.driver.get(url + "/");
        assertThat(browser.driver.getCurrentUrl()).as("the page without the token").endsWith("/login.html");
        login("a wrong token");
        assertThat(browser.driver.findElement(By.id("failed")).isDisplayed()).isTrue();
        login(TOKEN);
        await().atMost(WAIT).until(() -> browser.driver.getCurrentUrl().equals(url + "/"));
        assertThat(browser.driver.manage().getCookieNamed(TokenAuth.COOKIE).isHttpOnly()).isTrue();
        await().atMost(WAIT).until(() -> liveBadge().equals("live"));
    }

    @Test
    @Order(2)
    void bothClustersShowConnectedAndAStoppedOneTurnsFailedWithoutAReload() {
        browser.script("window.sameDocument = true");
        await().atMost(WAIT).until(() -> clusterState("homelab-main").equals("Connected") && clusterState("homelab-nas").equals("Connected"));
        nas.api.stop();
        try {
            await().atMost(WAIT).until(() -> clusterState("homelab-nas").equals("Failed"));
            assertThat(clusterRowText("homelab-nas")).contains("unreachable", "Check the API server address");
            assertThat(clusterState("homelab-main")).isEqualTo("Connected");
        } finally {
            nas.api.restart();
        }
        await().atMost(WAIT).until(() -> clusterState("homelab-nas").equals("Connected"));
        assertThat(browser.script("return window.sameDocument")).as("the page was not reloaded").isEqualTo(true);
    }

    @Test
    @Order(3)
    void anInjectedLockShowsItsUnlockThenItsSuccessWithoutAReload() throws Exception {
        browser.script("window.sameDocument = true; window.seen = [];"
                + "new MutationObserver(() => document.querySelectorAll('#active tbody tr, #history tbody tr')"
                + ".forEach(r => window.seen.push(r.closest('section').id + ': ' + r.innerText)))"
                + ".observe(document.querySelector('main'), {childList: true, subtree: true});");
        main.injectStaleLock("prowlarr", "volsync-src-prowlarr-x7k2p");
        main.syncNow("prowlarr");
        await().atMost(WAIT).until(() -> historyText().contains("prowlarr") && historyText().contains("Succeeded"));
        @SuppressWarnings("unchecked")
        List<String> seen = (List<String>) browser.script("return window.seen");
        assertThat(seen).as("rows the page showed").anyMatch(r -> r.startsWith("active: homelab-main") && r.contains("prowlarr"));
        assertThat(browser.script("return window.sameDocument")).isEqualTo(true);
        assertThat(browser.script("return document.querySelector('#chart svg title').textContent"))
                .asString().contains("homelab-main: 1 lock failures, 1 unlocks");
    }

    @Test
    @Order(4)
    void aScriptInAJobNameAndInALogLineIsShownAsText() {
        String hostileLine = "<script>window.injected = 1</script>";
        VolSyncWorld.failMover(lab, "xss", "evil", "a1b2c", "evil-restic", VolSyncWorld.lockLog(hostileLine, "10s"));
        // A real API server refuses such a name; the mock takes it in a POST body, as a hostile or broken cluster might.
        String hostileApp = "<img src=x onerror=window.injected=2>";
        Job job = VolSyncObjects.sourceJob("xss", hostileApp, UUID.randomUUID().toString(), null);
        job.getMetadata().setUid(null);
        job = lab.client().batch().v1().jobs().inNamespace("xss").resource(job).create();
        lab.client().pods().inNamespace("xss").resource(VolSyncObjects.sourcePod(job, "d3e4f", null, "evil-restic")
                .withNewStatus().withPhase("Failed").endStatus().build()).create();

        await().atMost(WAIT).until(() -> sectionText("active").contains(hostileLine)
                && sectionText("failures").contains("volsync-src-" + hostileApp));
        assertThat(browser.script("return window.injected")).as("what the hostile values ran").isNull();
        assertThat(browser.driver.findElements(By.cssSelector("main script, main img"))).as("elements the values became").isEmpty();
    }

    @Test
    @Order(5)
    void aDroppedConnectionShowsStaleThenTheLivePageComesBackByItself() throws Exception {
        try (TcpProxy proxy = new TcpProxy(hub.hub.httpPort())) {
            // Cookies do not depend on the port: the login holds through the relay.
            browser.driver.get("http://127.0.0.1:" + proxy.port() + "/");
            await().atMost(WAIT).until(() -> liveBadge().equals("live") && !clusterState("homelab-main").isEmpty());
            browser.script("window.sameDocument = true");
            proxy.cut(true);
            await().atMost(WAIT).until(() -> liveBadge().startsWith("stale since"));
            proxy.cut(false);
            await().atMost(WAIT).until(() -> liveBadge().equals("live"));
            assertThat(clusterState("homelab-main")).isEqualTo("Connected");
            assertThat(browser.script("return window.sameDocument")).as("it came back without a reload").isEqualTo(true);
            // Away before the relay closes: a stream the relay cut would log its error after the check below.
            browser.driver.get("about:blank");
        }
        // Chromium logs the dropped stream as a console error: expected here, and nothing else.
        assertThat(browser.console()).filteredOn(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .allMatch(e -> e.getMessage().contains("api/events"), "only the event stream's errors");
    }

    @Test
    @Order(6)
    void filtersLiveInTheUrl() {
        browser.driver.get(url + "/?cluster=homelab-nas");
        await().atMost(WAIT).until(() -> !clusterRowText("homelab-nas").isEmpty());
        assertThat(browser.script("return [...document.querySelectorAll('#clusters tbody tr')].map(r => r.cells[0].textContent)"))
                .asList().containsExactly("homelab-nas");
        assertThat(browser.driver.findElement(By.cssSelector("#filters select[name=cluster]")).getAttribute("value")).isEqualTo("homelab-nas");
    }

    @Test
    @Order(7)
    void theCommonClusterErrorsComeWithWhatToDo() {
        Object hints = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/js/format.js').then(m => done(arguments[0].map(m.hint)));",
                List.of("401 Unauthorized: the API server rejected the credentials (expired or wrong token?)",
                        "403 Forbidden: pods is forbidden: User \"x\" cannot list resource \"pods\" (missing RBAC permission)",
                        "unreachable: Connection refused", "proxy problem: 407"));
        assertThat(hints).asList().satisfiesExactly(
                h -> assertThat(h).asString().contains("credentials"),
                h -> assertThat(h).asString().contains("agent-config/rbac"),
                h -> assertThat(h).asString().contains("API server address"),
                h -> assertThat(h).asString().isEmpty());
    }

    @Test
    @Order(8)
    void aCredentialCloseToItsExpiryAndAnInsecureContextAreWarnedOfInWords() {
        browser.driver.get(url + "/");
        await().atMost(WAIT).until(() -> clusterRowText("lab").contains("credential"));
        assertThat(clusterRowText("lab")).contains("Warning: credential expires in 3 d: mint a new one soon",
                "Warning: TLS verification is off for this cluster (insecure-skip-tls-verify)");
        assertThat(clusterRowText("homelab-main")).as("a static token: no expiry known, TLS not in question")
                .doesNotContain("credential", "Warning");
        Object shown = browser.driver.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "import('/js/format.js').then(m => done(arguments[0].map(at => { const c = m.credential(at, Date.parse('2026-06-01T00:00:00Z'));"
                + " return c.text + ' | ' + c.warn; })));",
                List.of("2026-06-13T00:00:00Z", "2026-06-07T12:00:00Z", "2026-05-30T00:00:00Z"));
        assertThat(shown).asList().containsExactly("credential expires in 12 d | false",
                "Warning: credential expires in 6 d: mint a new one soon | true", "Warning: credential expired 2 d ago: mint a new one | true");
    }

    @Test
    @Order(10)
    void aClusterWhoseContextIsRemovedLeavesThePageWithoutAReload() throws Exception {
        browser.driver.get(url + "/");
        browser.script("window.sameDocument = true");
        await().atMost(WAIT).until(() -> clusterState("lab").equals("Connected"));
        Path without = SandboxApiServer.kubeconfig(Files.createDirectories(root.resolve("edit")), main.api, nas.api);
        Files.move(without, kubeconfig, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        await().atMost(WAIT).until(() -> clusterRowText("lab").isEmpty());
        assertThat(clusterState("homelab-main")).isEqualTo("Connected");
        assertThat(browser.script("return window.sameDocument")).as("the page was not reloaded").isEqualTo(true);
    }

    @Test
    @Order(9)
    void backupsOpenThePageWithASummaryPerClusterAndStayUsableWithAThousandRows() throws Exception {
        browser.driver.get(url + "/");
        // On the bare API server: a sandbox cluster's emulated VolSync would run a mover for each of these.
        var client = lab.client();
        VolSyncWorld.ensureNamespace(client, "fleet");
        Instant now = Instant.now();
        VolSyncObjects.createWithStatus(client, ClusterVerticle.REPLICATION_SOURCES, VolSyncObjects.backup(ClusterVerticle.REPLICATION_SOURCES,
                "fleet", "nightly", "0 2 * * *", Instant.parse("2020-01-01T02:05:00Z"), "Successful", Instant.parse("2020-01-01T02:05:00Z")));
        VolSyncObjects.createWithStatus(client, ClusterVerticle.REPLICATION_SOURCES, VolSyncObjects.backup(ClusterVerticle.REPLICATION_SOURCES,
                "fleet", "app-0", "0 * * * *", now.minusSeconds(300), "Successful", now.minusSeconds(300)));
        await().atMost(WAIT).until(() -> summaryLine("lab").contains("1 healthy"));
        // lab also holds the hostile-names test's backup, locked: worse than late.
        assertThat(summaryLine("lab")).as("worst first: late before healthy").endsWith(" 1 late, 1 healthy");
        List<String> rows = backupRowTexts();
        int late = indexOf(rows, "fleet/nightly");
        assertThat(late).as("the late backup has a row").isNotNegative();
        assertThat(rows.get(late)).contains("Late", "no success since");
        assertThat(rows.subList(0, late)).as("nothing healthy comes before it").noneMatch(r -> r.contains("Healthy"));

        int more = 999;
        for (int i = 1; i < more; i++) {
            VolSyncObjects.createWithStatus(client, ClusterVerticle.REPLICATION_SOURCES, VolSyncObjects.backup(ClusterVerticle.REPLICATION_SOURCES,
                    "fleet", "app-" + i, "0 * * * *", now.minusSeconds(300), "Successful", now.minusSeconds(300)));
        }
        await().atMost(WAIT).until(() -> backupRows() >= more + 1 && liveBadge().equals("live"));
        // The draw of every section with a thousand backups, from the filter's change to the rows in place: one task
        // after the page's 50 ms coalescing timer; Chromium reports tasks over 50 ms as long tasks.
        browser.script("window.longTasks = []; new PerformanceObserver(l => l.getEntries().forEach(e => window.longTasks.push(e.duration)))"
                + ".observe({type: 'longtask'});"
                + "window.drawn = null; const body = document.querySelector('#backups tbody');"
                + "new MutationObserver((m, o) => { window.drawn = performance.now() - window.changedAt; o.disconnect(); })"
                + ".observe(body, {childList: true});"
                + "const form = document.getElementById('filters'); form.elements.state.value = 'Late';"
                + "window.changedAt = performance.now(); form.dispatchEvent(new Event('change'));");
        // A burst of a thousand events may drop the stream (a client that cannot keep up starts again from a snapshot):
        // wait for the filtered table, not for any change.
        await().atMost(WAIT).until(() -> {
            List<String> shown = backupRowTexts();
            return !shown.isEmpty() && shown.size() < more && shown.stream().allMatch(r -> r.contains("Late"))
                    && shown.stream().anyMatch(r -> r.contains("fleet/nightly"));
        });
        Object filtered = browser.script("return window.drawn");
        browser.script("window.drawn = null; const body = document.querySelector('#backups tbody');"
                + "new MutationObserver((m, o) => { window.drawn = performance.now() - window.changedAt; o.disconnect(); })"
                + ".observe(body, {childList: true});"
                + "const form = document.getElementById('filters'); form.elements.state.value = '';"
                + "window.changedAt = performance.now(); form.dispatchEvent(new Event('change'));");
        await().atMost(WAIT).until(() -> backupRows() >= more + 1);
        Object all = browser.script("return window.drawn");
        assertThat(summaryLine("lab")).endsWith(" 1 late, " + more + " healthy");
        System.out.printf("dashboard: filter change -> drawn with %d backups: %s ms (the late ones: %s ms); long tasks %s ms%n",
                backupRows(), all, filtered, browser.script("return window.longTasks"));
    }

    static int indexOf(List<String> rows, String text) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).contains(text)) {
                return i;
            }
        }
        return -1;
    }

    static String summaryLine(String cluster) {
        return (String) browser.script("const li = document.querySelector('#backups .summary li[data-cluster=\"' + arguments[0] + '\"]');"
                + " return li ? li.innerText : '';", cluster);
    }

    @SuppressWarnings("unchecked")
    static List<String> backupRowTexts() {
        return (List<String>) browser.script("return [...document.querySelectorAll('#backups tbody tr')].map(r => r.innerText)");
    }

    static long backupRows() {
        return ((Number) browser.script("return document.querySelectorAll('#backups tbody tr').length")).longValue();
    }

    static void login(String token) {
        WebElement field = browser.driver.findElement(By.name("token"));
        field.clear();
        field.sendKeys(token);
        browser.driver.findElement(By.cssSelector("button[type=submit]")).click();
    }

    static String liveBadge() {
        return browser.driver.findElement(By.id("live")).getText();
    }

    /** Read in one script: the page redraws rows as events arrive, so an element found a moment ago may be gone. */
    static String clusterRowText(String name) {
        return (String) browser.script("const row = [...document.querySelectorAll('#clusters tbody tr')]"
                + ".find(r => r.cells[0].textContent === arguments[0]); return row ? row.innerText : '';", name);
    }

    static String clusterState(String name) {
        return (String) browser.script("const row = [...document.querySelectorAll('#clusters tbody tr')]"
                + ".find(r => r.cells[0].textContent === arguments[0]); return row ? row.querySelector('.badge').textContent : '';", name);
    }

    static String sectionText(String id) {
        return (String) browser.script("return document.getElementById(arguments[0]).innerText", id);
    }

    static String historyText() {
        return sectionText("history");
    }

    static HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(5));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        // An event stream never ends: only its status line and headers are read.
        return HttpClient.newHttpClient().send(request.build(), r -> HttpResponse.BodySubscribers.replacing(""));
    }
}

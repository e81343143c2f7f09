package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.Tier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The demo starts two clusters, shows them Connected, unlocks an injected lock, waits for the lock
 * of a host it cannot see, and stops leaving no process, port or folder behind.
 */
class DemoTest {
    @Test
    void theDemoUnlocksAnInjectedLockWaitsForAForeignOneAndStopsCleanly() throws Exception {
        Tier.requireSandbox();
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        Set<Long> before = descendants().keySet();
        List<Integer> ports = new ArrayList<>();
        Path root;
        try (Demo demo = Demo.start(2, 0, Duration.ofSeconds(4), Duration.ofSeconds(1), Duration.ofSeconds(2), out)) {
            root = demo.root();
            ports.add(demo.httpPort());
            demo.clusters().forEach(c -> ports.add(URI.create(c.api.url()).getPort()));
            HubApi api = new HubApi(demo.httpPort());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(api.list("/api/clusters"))
                    .extracting(c -> c.getString("name") + "=" + c.getString("state"))
                    .containsExactly("homelab-main=Connected", "homelab-nas=Connected"));
            await().atMost(Duration.ofSeconds(90)).until(() -> api.list("/api/unlocks").stream()
                    .anyMatch(u -> "Succeeded".equals(u.getString("state"))));
            assertThat(demo.clusters().get(0).locks("prowlarr")).as("the injected lock is gone").isZero();
            await().atMost(Duration.ofSeconds(60)).until(() -> printed.toString(StandardCharsets.UTF_8).contains("prowlarr: backup recovered"));
            await().atMost(Duration.ofSeconds(90)).until(() -> api.list("/api/unlocks").stream()
                    .anyMatch(u -> "WaitingForHolder".equals(u.getString("state")) && u.getString("holder").startsWith(Demo.FOREIGN_HOLDER)));
        } catch (Throwable t) {
            System.out.print("demo output:\n" + printed.toString(StandardCharsets.UTF_8));
            throw t;
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(text).contains("injecting a stale lock", "unlock Running", "unlock Succeeded", "unlock WaitingForHolder");
        // A killed process is gone a moment after its kill; so wait, briefly, for what the demo started to be reaped.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(descendants()).as("processes the demo left")
                .allSatisfy((pid, command) -> assertThat(before).as(command).contains(pid)));
        assertThat(root).as("the demo's folder").doesNotExist();
        for (int port : ports) {
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).as("port " + port).isInstanceOf(ConnectException.class);
        }
    }

    /** Processes started by this JVM and still running: PID to command line. */
    private static Map<Long, String> descendants() {
        return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive)
                .collect(Collectors.toMap(ProcessHandle::pid, p -> p.info().commandLine().orElse("?")));
    }
}

package com.rafaribe.homelab.hub.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rafaribe.homelab.hub.testing.HubApi;
import com.rafaribe.homelab.hub.testing.Restic;
import com.rafaribe.homelab.hub.testing.Tier;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The demo starts two clusters, shows them Connected, unlocks an injected lock, and stops leaving nothing behind. */
class DemoTest {
    @Test
    void theDemoUnlocksAnInjectedLockAndStopsCleanly() throws Exception {
        Restic.requireInstalled();
        Tier.require("root".equals(System.getProperty("user.name")), "tier 3 (sandbox pods with their own hostname)",
                "needs root for unshare --uts; CI runs as root");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        long before = ProcessHandle.current().descendants().count();
        try (Demo demo = Demo.start(2, 0, Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofSeconds(2), out)) {
            HubApi api = new HubApi(demo.httpPort());
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(api.list("/api/clusters"))
                    .extracting(c -> c.getString("name") + "=" + c.getString("state"))
                    .containsExactly("homelab-main=Connected", "homelab-nas=Connected"));
            await().atMost(Duration.ofSeconds(90)).until(() -> api.list("/api/unlocks").stream()
                    .anyMatch(u -> "Succeeded".equals(u.getString("state"))));
            assertThat(demo.clusters().get(0).locks("prowlarr")).as("the injected lock is gone").isZero();
        } catch (Throwable t) {
            System.out.print("demo output:\n" + printed.toString(StandardCharsets.UTF_8));
            throw t;
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.print(text);
        assertThat(text).contains("injecting a stale lock", "unlock Running", "unlock Succeeded");
        await().atMost(Duration.ofSeconds(10)).until(() -> ProcessHandle.current().descendants().count() <= before);
    }
}

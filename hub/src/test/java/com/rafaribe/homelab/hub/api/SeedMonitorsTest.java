package com.rafaribe.homelab.hub.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.policy.MonitorPolicy;
import com.rafaribe.homelab.hub.policy.MonitorValidator;
import com.rafaribe.homelab.hub.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Monitors written for the original controller, and our samples, parse and validate unchanged;
 * the original's examples choose images and a ServiceAccount, which the hub runs only once its
 * operator allows them (docs/migrating.md gives these flags).
 */
class SeedMonitorsTest {

    @Test
    void bothSeedMonitorsParseAndValidate() throws IOException {
        List<VolSyncMonitor> monitors = MonitorYaml.parseAll(Files.readString(TestData.seedMonitors()));
        assertThat(monitors).extracting(m -> m.getMetadata().getName())
                .containsExactly("volsync-monitor-main", "volsync-monitor-advanced");

        MonitorPolicy main = valid(monitors.get(0));
        assertThat(main.enabled()).isTrue();
        assertThat(main.maxConcurrentUnlocks()).isEqualTo(3);
        assertThat(main.ttlSecondsAfterFinished()).isEqualTo(3600);
        assertThat(main.template().getImage()).isEqualTo("quay.io/backube/volsync:0.13.0-rc.2");
        assertThat(main.template().getCommand()).containsExactly("restic");
        assertThat(main.template().getArgs()).containsExactly("unlock", "--remove-all");
        assertThat(main.template().getResources().getLimits()).isEqualTo(Map.of("cpu", "500m", "memory", "512Mi"));
        assertThat(main.template().getSecurityContext().getFsGroup()).isEqualTo(1000L);
        assertThat(main.scanInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(main.namePrefix()).isEqualTo("volsync-");

        MonitorPolicy advanced = valid(monitors.get(1));
        assertThat(advanced.removeFailedJobs()).isTrue();
        assertThat(advanced.patterns().sources()).hasSize(7).contains("timeout.*waiting.*for.*lock");
        assertThat(advanced.namespaces()).containsExactly("downloads", "home-automation");
        assertThat(advanced.template().getServiceAccount()).isEqualTo("volsync-unlock-sa");
        assertThat(advanced.maxConcurrentUnlocks()).isEqualTo(3);
    }

    @Test
    void withoutTheFlagsTheSeedMonitorsAreInvalidAndSayWhichFlagToSet() throws IOException {
        List<VolSyncMonitor> monitors = MonitorYaml.parseAll(Files.readString(TestData.seedMonitors()));
        assertThat(MonitorValidator.validate(monitors.get(0)).problems()).singleElement().asString().contains("--unlock-image-allow");
        assertThat(MonitorValidator.validate(monitors.get(1)).problems()).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("--unlock-image-allow"))
                .anySatisfy(p -> assertThat(p).contains("--unlock-service-account-allow"));
    }

    @Test
    void everySampleMonitorInAgentConfigValidates() throws IOException {
        Path samples = Path.of(System.getProperty("agent-config.dir", "../agent-config")).resolve("samples");
        List<Path> files;
        try (Stream<Path> s = Files.list(samples)) {
            files = s.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().startsWith("kustomization.")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            List<VolSyncMonitor> monitors = MonitorYaml.parseAll(Files.readString(file));
            assertThat(monitors).as(file.toString()).isNotEmpty();
            monitors.forEach(m -> assertThat(MonitorValidator.validate(m).problems()).as("%s with the hub's defaults", file).isEmpty());
        }
    }

    private static MonitorPolicy valid(VolSyncMonitor monitor) {
        MonitorValidator.Result result = MonitorValidator.validate(monitor, TestData.SEED_MONITORS_ALLOW);
        assertThat(result.problems()).as(monitor.getMetadata().getName()).isEmpty();
        return result.policy();
    }
}

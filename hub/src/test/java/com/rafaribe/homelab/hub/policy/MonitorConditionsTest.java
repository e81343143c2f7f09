package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.MonitorPhase;
import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.RepositoryFailures;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.api.VolSyncMonitorStatus;
import java.io.IOException;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MonitorConditionsTest {
    static final TrustedNamespaces TRUSTED = new TrustedNamespaces(Set.of("hub"));
    static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

    static VolSyncMonitor monitor(String namespace, long generation, String spec) throws IOException {
        VolSyncMonitor m = MonitorYaml.parseAll("apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\nmetadata: {name: m, namespace: "
                + namespace + ", generation: " + generation + "}\nspec: " + spec + "\n").get(0);
        return m;
    }

    static VolSyncMonitorStatus withOpenCircuit(long observedGeneration) {
        VolSyncMonitorStatus s = new VolSyncMonitorStatus();
        s.setObservedGeneration(observedGeneration);
        RepositoryFailures f = new RepositoryFailures();
        f.setRepositoryKey("home/media/secret:x#RESTIC_REPOSITORY");
        f.setConsecutiveFailures(3);
        s.getFailingRepositories().add(f);
        return s;
    }

    static String condition(VolSyncMonitorStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().map(c -> c.getStatus()).orElse(null);
    }

    @Test
    void threeFailuresInARowDegradeTheMonitor() throws IOException {
        VolSyncMonitorStatus s = withOpenCircuit(1);
        var outcome = MonitorConditions.apply(MonitorEntry.of(monitor("hub", 1, "{enabled: true}"), TRUSTED), s, TRUSTED, NOW);
        assertThat(outcome.circuitReset()).isFalse();
        assertThat(condition(s, "Degraded")).isEqualTo("True");
        assertThat(condition(s, "Ready")).isEqualTo("True");
        assertThat(s.getPhase()).isEqualTo(MonitorPhase.Active);
    }

    @Test
    void aSpecChangeResetsTheCircuit() throws IOException {
        VolSyncMonitorStatus s = withOpenCircuit(1);
        var outcome = MonitorConditions.apply(MonitorEntry.of(monitor("hub", 2, "{enabled: true}"), TRUSTED), s, TRUSTED, NOW);
        assertThat(outcome.circuitReset()).isTrue();
        assertThat(outcome.resetReason()).isEqualTo("spec changed");
        assertThat(s.getFailingRepositories()).isEmpty();
        assertThat(condition(s, "Degraded")).isEqualTo("False");
        assertThat(s.getObservedGeneration()).isEqualTo(2);
    }

    @Test
    void aNewRetryAnnotationValueResetsTheCircuitOnce() throws IOException {
        VolSyncMonitor m = monitor("hub", 1, "{enabled: true}");
        m.getMetadata().setAnnotations(Map.of(MonitorConditions.RETRY_ANNOTATION, "now"));
        VolSyncMonitorStatus s = withOpenCircuit(1);
        assertThat(MonitorConditions.apply(MonitorEntry.of(m, TRUSTED), s, TRUSTED, NOW).circuitReset()).isTrue();
        assertThat(s.getRetryUnlockSeen()).isEqualTo("now");
        s.getFailingRepositories().addAll(withOpenCircuit(1).getFailingRepositories());
        assertThat(MonitorConditions.apply(MonitorEntry.of(m, TRUSTED), s, TRUSTED, NOW).circuitReset()).as("same value: no second reset").isFalse();
    }

    @Test
    void theFirstSightOfAMonitorIsNoSpecChange() throws IOException {
        VolSyncMonitorStatus s = withOpenCircuit(1);
        s.setObservedGeneration(null);
        assertThat(MonitorConditions.apply(MonitorEntry.of(monitor("hub", 5, "{}"), TRUSTED), s, TRUSTED, NOW).circuitReset()).isFalse();
        assertThat(s.getFailingRepositories()).hasSize(1);
        assertThat(s.getPhase()).isEqualTo(MonitorPhase.Paused);
    }

    @Test
    void anUntrustedMonitorIsOnlyMarkedIgnored() throws IOException {
        VolSyncMonitorStatus s = new VolSyncMonitorStatus();
        MonitorConditions.apply(MonitorEntry.of(monitor("rogue", 1, "{enabled: true}"), TRUSTED), s, TRUSTED, NOW);
        assertThat(condition(s, "Ignored")).isEqualTo("True");
        assertThat(condition(s, "Ready")).isEqualTo("False");
        assertThat(s.getPhase()).isNull();
        assertThat(condition(s, "PatternsValid")).isNull();
    }

    @Test
    void anInvalidSpecIsAnErrorWithItsProblems() throws IOException {
        VolSyncMonitorStatus s = new VolSyncMonitorStatus();
        MonitorConditions.apply(MonitorEntry.of(monitor("hub", 1, "{lockErrorPatterns: [\"(?=x)\"]}"), TRUSTED), s, TRUSTED, NOW);
        assertThat(condition(s, "PatternsValid")).isEqualTo("False");
        assertThat(s.getPhase()).isEqualTo(MonitorPhase.Error);
        assertThat(s.getLastError()).contains("lockErrorPatterns[0] \"(?=x)\"");
    }
}

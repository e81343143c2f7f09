package com.rafaribe.homelab.hub.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.api.MonitorYaml;
import com.rafaribe.homelab.hub.api.VolSyncMonitor;
import com.rafaribe.homelab.hub.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MonitorValidatorTest {
    static MonitorValidator.Result validate(String spec) throws IOException {
        String yaml = "apiVersion: homelab.rafaribe.com/v1alpha1\nkind: VolSyncMonitor\nmetadata: {name: m, namespace: ns}\n" + spec;
        VolSyncMonitor monitor = MonitorYaml.parseAll(yaml).get(0);
        return MonitorValidator.validate(monitor);
    }

    @Test
    void anEmptySpecGetsTheOriginalDefaults() throws IOException {
        MonitorValidator.Result r = validate("spec: {}\n");
        assertThat(r.valid()).isTrue();
        MonitorPolicy p = r.policy();
        assertThat(p.enabled()).as("enabled defaults to false, as in the original").isFalse();
        assertThat(p.maxConcurrentUnlocks()).isEqualTo(3);
        assertThat(p.scanInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(p.namePrefix()).isEqualTo("volsync-");
        assertThat(p.removeFailedJobs()).isFalse();
        assertThat(p.ttlSecondsAfterFinished()).isNull();
        assertThat(p.patterns().isEmpty()).isTrue();
        assertThat(p.name()).isEqualTo("m");
        assertThat(p.namespace()).isEqualTo("ns");
    }

    @Test
    void zeroConcurrentUnlocksMeansTheDefaultAsInTheOriginal() throws IOException {
        assertThat(validate("spec: {maxConcurrentUnlocks: 0}\n").policy().maxConcurrentUnlocks()).isEqualTo(3);
        assertThat(validate("spec: {maxConcurrentUnlocks: 1}\n").policy().maxConcurrentUnlocks()).isEqualTo(1);
    }

    @Test
    void aGoDurationScanInterval() throws IOException {
        assertThat(validate("spec: {scanInterval: 1h30m}\n").policy().scanInterval()).isEqualTo(Duration.ofMinutes(90));
        assertThat(validate("spec: {scanInterval: 1.5s}\n").policy().scanInterval()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void everyProblemIsReportedNamingItsField() throws IOException {
        MonitorValidator.Result r = validate("""
                spec:
                  maxConcurrentUnlocks: -1
                  ttlSecondsAfterFinished: -5
                  scanInterval: "every minute"
                  lockErrorPatterns: ["fine", "(locked)\\\\1"]
                  jobSelector:
                    namespaces: ["Not_A_Namespace"]
                    labelSelector: {"app/": "x", "tier": "bad value"}
                  unlockJobTemplate:
                    image: "has space"
                    serviceAccount: "UPPER"
                    resources: {limits: {cpu: "lots"}}
                    securityContext: {runAsUser: -1}
                """);
        assertThat(r.valid()).isFalse();
        assertThat(r.policy()).isNull();
        assertThat(r.problems()).hasSize(11).anySatisfy(p -> assertThat(p).startsWith("spec.maxConcurrentUnlocks is -1"))
                .anySatisfy(p -> assertThat(p).startsWith("spec.ttlSecondsAfterFinished is -5"))
                .anySatisfy(p -> assertThat(p).startsWith("spec.scanInterval \"every minute\""))
                .anySatisfy(p -> assertThat(p).startsWith("spec.lockErrorPatterns[1] \"(locked)\\1\" is not a valid RE2 expression"))
                .anySatisfy(p -> assertThat(p).contains("\"Not_A_Namespace\" is not a valid namespace name"))
                .anySatisfy(p -> assertThat(p).contains("key \"app/\" is not a valid label key"))
                .anySatisfy(p -> assertThat(p).contains("\"bad value\" is not a valid label value"))
                .anySatisfy(p -> assertThat(p).contains("image \"has space\""))
                .anySatisfy(p -> assertThat(p).contains("serviceAccount \"UPPER\""))
                .anySatisfy(p -> assertThat(p).contains("resources.limits.cpu \"lots\""))
                .anySatisfy(p -> assertThat(p).contains("securityContext.runAsUser is -1"));
    }

    @Test
    void aZeroScanIntervalIsRejected() throws IOException {
        assertThat(validate("spec: {scanInterval: 0s}\n").problems()).singleElement().asString().contains("scanInterval");
    }

    @Test
    void aPatternTooCostlyToMatchIsRejectedNamingIt() throws IOException {
        assertThat(validate("spec: {lockErrorPatterns: [\"unable to create lock\", \"(.{0,100}){10}x\"]}\n").problems())
                .singleElement().asString()
                .startsWith("spec.lockErrorPatterns[1] \"(.{0,100}){10}x\" is too costly to match: cost 2004");
    }

    @Test
    void theSeedMonitorsAreValidOnceTheirImagesAndServiceAccountAreAllowed() throws IOException {
        for (VolSyncMonitor monitor : MonitorYaml.parseAll(Files.readString(TestData.seedMonitors()))) {
            assertThat(MonitorValidator.validate(monitor, TestData.SEED_MONITORS_ALLOW).problems()).as(monitor.getMetadata().getName()).isEmpty();
        }
    }

    @Test
    void tooManyOrTooLongPatternsAreRejected() throws IOException {
        StringBuilder many = new StringBuilder("spec:\n  lockErrorPatterns:\n");
        for (int i = 0; i < 65; i++) {
            many.append("    - \"p").append(i).append("\"\n");
        }
        assertThat(validate(many.toString()).problems()).anySatisfy(p -> assertThat(p).contains("at most 64"));
        assertThat(validate("spec: {lockErrorPatterns: [\"" + "a".repeat(1025) + "\"]}\n").problems())
                .anySatisfy(p -> assertThat(p).contains("longer than 1024"));
    }
}

package com.rafaribe.homelab.hub.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.dashboard.MetricsScrape;
import com.rafaribe.homelab.hub.testing.Command;
import com.rafaribe.homelab.hub.testing.Kustomize;
import com.rafaribe.homelab.hub.testing.Tier;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * deploy/monitoring: its alert rules pass `promtool check rules` and the unit tests of
 * deploy/monitoring/tests pass `promtool test rules` (on tests/rules/, the PrometheusRule's spec
 * cut out, which must not drift from it); every alert has a summary, a runbook line
 * into docs/troubleshooting.md and a unit test, and reads only metrics the hub exports; the
 * ServiceMonitor scrapes deploy/'s Service, and the job VolSyncHubAbsent looks for is its name.
 */
class MonitoringRulesTest {
    static final Path MONITORING = Kustomize.DEPLOY.resolve("monitoring");
    static final Path RULE = MONITORING.resolve("prometheusrule.yaml");
    static final String RUNBOOKS = "https://github.com/rafaribe/volsync-monitor-hub/blob/main/docs/troubleshooting.md#";
    static final List<String> ALERTS = List.of("VolSyncHubAbsent", "VolSyncHubClusterDisconnected", "VolSyncHubUnlockFailed",
            "VolSyncHubUnlockWaitingTooLong", "VolSyncHubMonitorDegraded", "VolSyncHubClusterCredentialExpiresSoon",
            "VolSyncBackupLate", "VolSyncBackupFailing", "VolSyncRepositoryLocked");
    static final YAMLMapper YAML = new YAMLMapper();

    /** The rules file promtool reads: the PrometheusRule's spec, cut out as the file's first lines say (sed). */
    static final Path RULES_FILE = MONITORING.resolve("tests/rules/volsync-monitor-hub.yaml");

    @Test
    void theRulesFilePromtoolReadsIsThePrometheusRulesSpec() throws Exception {
        List<String> lines = Files.readAllLines(RULE);
        int spec = lines.indexOf("spec:");
        assertThat(spec).as("a top-level spec: line in " + RULE).isPositive();
        String cut = lines.subList(spec + 1, lines.size()).stream().map(l -> l.startsWith("  ") ? l.substring(2) : l)
                .collect(Collectors.joining("\n", "", "\n"));
        assertThat(YAML.readTree(cut)).as("the cut is the PrometheusRule's spec").isEqualTo(YAML.readTree(RULE.toFile()).get("spec"));
        List<String> committed = Files.readAllLines(RULES_FILE);
        String header = committed.stream().takeWhile(l -> l.startsWith("#")).collect(Collectors.joining("\n", "", "\n"));
        assertThat(header).contains("sed -e '1,/^spec:$/d' -e 's/^  //' deploy/monitoring/prometheusrule.yaml");
        assertThat(Files.readString(RULES_FILE)).as(RULES_FILE + " is prometheusrule.yaml's spec: regenerate it as its first lines say")
                .isEqualTo(header + cut);
    }

    static List<JsonNode> alerts() throws Exception {
        List<JsonNode> alerts = new ArrayList<>();
        YAML.readTree(RULE.toFile()).get("spec").get("groups").forEach(g -> g.get("rules").forEach(alerts::add));
        return alerts;
    }

    @Test
    void promtoolChecksTheRulesAndPassesTheirUnitTests() throws Exception {
        Tier.require(Command.onPath("promtool"), "the alert rules (promtool)", "install promtool (apt-get install prometheus)");
        Path repo = Kustomize.DEPLOY.getParent();
        List<String> tests;
        try (Stream<Path> files = Files.list(MONITORING.resolve("tests"))) {
            tests = files.filter(p -> p.toString().endsWith(".yaml")).sorted().map(p -> repo.relativize(p).toString()).toList();
        }
        assertThat(tests).hasSizeGreaterThanOrEqualTo(4);

        Command.Output check = Command.run(repo, 60, List.of("promtool", "check", "rules", repo.relativize(RULES_FILE).toString()));
        assertThat(check.exit()).as("promtool check rules:\n" + check.text()).isZero();
        assertThat(check.text()).contains("SUCCESS: " + alerts().size() + " rules found");

        List<String> argv = new ArrayList<>(List.of("promtool", "test", "rules"));
        argv.addAll(tests);
        Command.Output test = Command.run(repo, 120, argv);
        assertThat(test.exit()).as("promtool test rules:\n" + test.text()).isZero();
        assertThat(test.text()).doesNotContain("FAILED");
    }

    @Test
    void everyAlertSaysWhatIsWrongAndWhereTheRunbookIs() throws Exception {
        List<JsonNode> alerts = alerts();
        assertThat(alerts).extracting(a -> a.get("alert").asString()).containsAll(ALERTS).doesNotHaveDuplicates();
        for (JsonNode alert : alerts) {
            String name = alert.get("alert").asString();
            JsonNode annotations = alert.get("annotations");
            assertThat(annotations.get("summary").asString()).as(name + " summary").matches("[A-Z].*\\.");
            assertThat(annotations.get("description").asString()).as(name + " description").isNotBlank();
            assertThat(annotations.get("runbook_url").asString()).as(name + " runbook_url").isEqualTo(RUNBOOKS + name.toLowerCase());
            assertThat(alert.get("labels").get("severity").asString()).as(name + " severity").isIn("warning", "critical");
        }
    }

    @Test
    void oneGroupPerConcernAndEveryAlertUnitTested() throws Exception {
        JsonNode groups = YAML.readTree(RULE.toFile()).get("spec").get("groups");
        List<String> names = new ArrayList<>();
        groups.forEach(g -> names.add(g.get("name").asString()));
        assertThat(names).doesNotHaveDuplicates().allMatch(n -> n.startsWith("volsync-hub."));
        StringBuilder tests = new StringBuilder();
        try (Stream<Path> files = Files.list(MONITORING.resolve("tests"))) {
            for (Path test : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
                tests.append(Files.readString(test));
            }
        }
        for (JsonNode alert : alerts()) {
            String name = alert.get("alert").asString();
            assertThat(tests.toString()).as("a promtool test of " + name + " in deploy/monitoring/tests")
                    .containsPattern("alertname: " + name + "\\n\\s+exp_alerts:\\n\\s+- exp_labels:");
        }
    }

    @Test
    void theAlertsReadOnlyMetricsTheHubExports() throws Exception {
        String scrape = MetricsScrape.withEveryFamily();
        Set<String> used = new TreeSet<>();
        for (JsonNode alert : alerts()) {
            Pattern.compile("\\bvolsync_hub_\\w+").matcher(alert.get("expr").asString()).results().forEach(m -> used.add(m.group()));
        }
        assertThat(used).contains("volsync_hub_cluster_state", "volsync_hub_unlock_jobs_total", "volsync_hub_monitor_degraded",
                "volsync_hub_unlock_oldest_waiting_seconds", "volsync_hub_cluster_credential_expiry_timestamp_seconds",
                "volsync_hub_backup_state", "volsync_hub_repository_lock_age_seconds");
        for (String metric : used) {
            assertThat(scrape).as("GET /metrics has " + metric).containsPattern("(?m)^" + metric + "\\{");
        }
        assertThat(scrape).contains("state=\"Connecting\"", "state=\"Failed\"", "event=\"failed\"", "monitor_namespace=\"media\"");
    }

    @Test
    void theServiceMonitorScrapesTheHubsServiceUnderTheJobTheRulesExpect() throws Exception {
        List<HasMetadata> monitoring = Kustomize.build(MONITORING);
        assertThat(monitoring).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("ServiceMonitor", "PrometheusRule");
        Service service = Kustomize.one(Kustomize.build(Kustomize.DEPLOY), Service.class, "homelab-assistant-controller");
        GenericKubernetesResource serviceMonitor = (GenericKubernetesResource) monitoring.stream()
                .filter(o -> o.getKind().equals("ServiceMonitor")).findFirst().orElseThrow();
        assertThat(serviceMonitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(serviceMonitor.getMetadata().getNamespace()).isEqualTo(service.getMetadata().getNamespace());
        Map<String, Object> selector = serviceMonitor.get("spec", "selector", "matchLabels");
        assertThat(service.getMetadata().getLabels()).containsAllEntriesOf(selector.entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue()))));
        List<Map<String, Object>> endpoints = serviceMonitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().satisfies(e -> {
            assertThat(e.get("port")).isEqualTo(service.getSpec().getPorts().get(0).getName());
            assertThat(e.get("path")).isEqualTo("/metrics");
        });
        assertThat(Files.readString(RULE)).as("the ServiceMonitor's job label is the Service's name")
                .contains("up{job=\"" + service.getMetadata().getName() + "\"}");
        assertThat(monitoring).filteredOn(o -> o.getKind().equals("PrometheusRule")).singleElement()
                .satisfies(r -> assertThat(r.getApiVersion()).isEqualTo("monitoring.coreos.com/v1"));
    }
}

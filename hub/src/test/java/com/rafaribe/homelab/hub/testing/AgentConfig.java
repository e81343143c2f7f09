package com.rafaribe.homelab.hub.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** What a user applies to a managed cluster: agent-config/ (without the samples), server-side, plus a stand-in for VolSync's CRD. */
public final class AgentConfig {
    public static final Path DIR = Path.of(System.getProperty("repo.dir", "..")).resolve("agent-config");
    public static final String MONITOR_CRD = "volsyncmonitors.homelab.rafaribe.com";
    public static final String HUB_NAMESPACE = "homelab-assistant-system";
    public static final String HUB_SERVICE_ACCOUNT = "volsync-monitor-hub";

    private AgentConfig() {
    }

    public static void apply(KubernetesClient admin) throws IOException {
        try (Stream<Path> files = Files.walk(DIR)) {
            for (Path yaml : files.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml")).sorted().toList()) {
                if (yaml.startsWith(DIR.resolve("samples")) || yaml.getFileName().toString().equals("kustomization.yaml")) {
                    continue;
                }
                try (InputStream in = Files.newInputStream(yaml)) {
                    admin.load(in).forceConflicts().serverSideApply();
                }
            }
        }
        try (InputStream in = AgentConfig.class.getResourceAsStream("/sandbox-replicationsource-crd.yaml")) {
            admin.load(in).forceConflicts().serverSideApply();
        }
        for (String crd : List.of(MONITOR_CRD, "replicationsources.volsync.backube")) {
            admin.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(AgentConfig::established,
                    30, TimeUnit.SECONDS);
        }
    }

    public static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}

package com.rafaribe.homelab.hub.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a user applies to a managed cluster, `kubectl apply -k agent-config/`: exactly what that
 * kustomization builds (so a file it leaves out is missing here too), applied server-side, plus a
 * stand-in for VolSync's CRD. The samples are a separate step, as for the user.
 */
public final class AgentConfig {
    public static final Path DIR = Path.of(System.getProperty("repo.dir", "..")).resolve("agent-config");
    public static final String MONITOR_CRD = "volsyncmonitors.homelab.rafaribe.com";
    public static final String HUB_NAMESPACE = "homelab-assistant-system";
    public static final String HUB_SERVICE_ACCOUNT = "volsync-monitor-hub";

    private AgentConfig() {
    }

    /** What `kubectl kustomize agent-config/` builds: the Namespace and the CRD first, as kubectl orders them. */
    public static List<HasMetadata> objects() throws IOException {
        try {
            return Kustomize.build(DIR);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IOException(e);
        }
    }

    public static void apply(KubernetesClient admin) throws IOException {
        for (HasMetadata object : objects()) {
            admin.resource(object).forceConflicts().serverSideApply();
        }
        try (InputStream in = AgentConfig.class.getResourceAsStream("/sandbox-replicationsource-crd.yaml")) {
            admin.load(in).forceConflicts().serverSideApply();
        }
        for (String crd : List.of(MONITOR_CRD, "replicationsources.volsync.backube", "replicationdestinations.volsync.backube")) {
            admin.apiextensions().v1().customResourceDefinitions().withName(crd).waitUntilCondition(AgentConfig::established,
                    30, TimeUnit.SECONDS);
        }
    }

    public static boolean established(CustomResourceDefinition crd) {
        return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null && crd.getStatus().getConditions().stream()
                .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}

package com.rafaribe.homelab.hub;

import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Everything {@code run} is told, as one value: tests build it in one line.
 *
 * @param resync how often a cluster reports its cached objects again when no monitor sets a scanInterval, and how
 *               often the policy looks at waiting unlocks again: safety nets that cost no API calls
 * @param dashboardToken the token the dashboard and API ask for, or null for none
 * @param dashboardTokenFile the file it was read from, read again when it changes (rotation), or null
 */
public record HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                        String httpHost, int httpPort, Duration resync, String dashboardToken, Path dashboardTokenFile) {
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(30);

    /** A token that never changes. */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync, String dashboardToken) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, dashboardToken, null);
    }

    /** An open dashboard. */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, null, null);
    }

    /** Never print the token. */
    @Override
    public String toString() {
        return "HubConfig[kubeconfigs=" + kubeconfigs + ", contexts=" + contexts + ", inCluster=" + inCluster + ", trustedNamespaces="
                + trustedNamespaces + ", http=" + httpHost + ":" + httpPort + ", resync=" + resync + ", dashboardToken="
                + (dashboardToken == null ? "none" : "set") + "]";
    }
}

package com.rafaribe.homelab.hub;

import com.rafaribe.homelab.hub.cluster.LeaseSettings;
import com.rafaribe.homelab.hub.policy.TrustedNamespaces;
import com.rafaribe.homelab.hub.policy.UnlockAllowList;
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
 * @param unlockAllow the images and ServiceAccounts a monitor's unlockJobTemplate may ask for besides the mover's own
 */
public record HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                        String httpHost, int httpPort, Duration resync, String dashboardToken, Path dashboardTokenFile,
                        UnlockAllowList unlockAllow, LeaseSettings lease) {
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(30);

    /** The Lease in the first trusted monitor namespace, held as this process (pod name, or host:pid). */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync, String dashboardToken, Path dashboardTokenFile,
                     UnlockAllowList unlockAllow) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, dashboardToken, dashboardTokenFile,
                unlockAllow, new LeaseSettings(LeaseSettings.defaultNamespace(trustedNamespaces), LeaseSettings.defaultIdentity(System::getenv)));
    }

    /** The same hub with other Lease settings (another identity, test timings). */
    public HubConfig withLease(LeaseSettings settings) {
        return new HubConfig(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, dashboardToken,
                dashboardTokenFile, unlockAllow, settings);
    }

    /** A token read from a file; templates may ask for nothing but the mover's own image and ServiceAccount. */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync, String dashboardToken, Path dashboardTokenFile) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, dashboardToken, dashboardTokenFile,
                UnlockAllowList.MOVER_ONLY);
    }

    /** A token that never changes. */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync, String dashboardToken, UnlockAllowList unlockAllow) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, dashboardToken, null, unlockAllow);
    }

    /** A token that never changes; templates may ask for nothing but the mover's own image and ServiceAccount. */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync, String dashboardToken) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, dashboardToken, null, UnlockAllowList.MOVER_ONLY);
    }

    /** An open dashboard. */
    public HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                     String httpHost, int httpPort, Duration resync) {
        this(kubeconfigs, contexts, inCluster, trustedNamespaces, httpHost, httpPort, resync, null, null, UnlockAllowList.MOVER_ONLY);
    }

    /** Never print the token. */
    @Override
    public String toString() {
        return "HubConfig[kubeconfigs=" + kubeconfigs + ", contexts=" + contexts + ", inCluster=" + inCluster + ", trustedNamespaces="
                + trustedNamespaces + ", http=" + httpHost + ":" + httpPort + ", resync=" + resync + ", dashboardToken="
                + (dashboardToken == null ? "none" : "set") + ", unlockAllow=" + unlockAllow + ", lease=" + lease + "]";
    }
}

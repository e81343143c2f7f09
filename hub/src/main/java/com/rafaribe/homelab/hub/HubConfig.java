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
 */
public record HubConfig(List<Path> kubeconfigs, Set<String> contexts, boolean inCluster, TrustedNamespaces trustedNamespaces,
                        String httpHost, int httpPort, Duration resync) {
    public static final Duration DEFAULT_RESYNC = Duration.ofSeconds(30);
}

package com.rafaribe.homelab.hub.policy;

import com.rafaribe.homelab.hub.api.UnlockJobTemplate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A validated monitor with every default applied: what the policy acts on. Built only by
 * {@link MonitorValidator}, so an instance is always valid.
 */
public record MonitorPolicy(
        String namespace,
        String name,
        boolean enabled,
        int maxConcurrentUnlocks,
        Integer ttlSecondsAfterFinished,
        LockPatterns patterns,
        boolean removeFailedJobs,
        Duration scanInterval,
        String namePrefix,
        Map<String, String> labelSelector,
        List<String> namespaces,
        UnlockJobTemplate template) {

    public LockDetector detector() {
        return new LockDetector(patterns);
    }
}

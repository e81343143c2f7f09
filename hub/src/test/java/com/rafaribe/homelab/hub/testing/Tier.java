package com.rafaribe.homelab.hub.testing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Assumptions;

/**
 * Skips a test tier whose tools are not installed, saying so once in one line; under CI
 * ({@code CI=true}, where .ci/run installs everything) a missing tool fails the test instead.
 */
public final class Tier {
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private Tier() {
    }

    /** Sandbox pods with their own hostname and user: the real restic, and root for unshare --uts and setpriv. */
    public static void requireSandbox() {
        Restic.requireInstalled();
        require("root".equals(System.getProperty("user.name")), "tier 3 (sandbox pods with their own hostname)",
                "needs root for unshare --uts; CI runs as root");
    }

    /** A tier that needs what CI cannot have (a Docker engine): skipped in one line everywhere it is missing, CI included. */
    public static void optional(boolean available, String tier, String where) {
        if (!available) {
            skip(tier + " skipped: " + where, tier);
        }
    }

    public static void require(boolean available, String tier, String howToInstall) {
        if (available) {
            return;
        }
        String message = tier + " skipped: " + howToInstall;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(message + " (CI must install it: see .ci/run)");
        }
        skip(message, tier);
    }

    private static void skip(String message, String tier) {
        if (ANNOUNCED.add(tier)) {
            System.err.println("SKIPPED " + message);
        }
        Assumptions.abort(message);
    }
}

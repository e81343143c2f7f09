package com.rafaribe.homelab.hub.testing;

import com.rafaribe.homelab.hub.policy.UnlockAllowList;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Data the tests read, all inside the repository: the labelled restic corpus (a test resource,
 * hub/src/test/resources/restic-logs) and the original controller's example monitors
 * (examples/volsyncmonitor-seed.yaml, found through the {@code repo.dir} property surefire and failsafe set).
 */
public final class TestData {
    private TestData() {
    }

    /** The repository's top folder. */
    public static Path repo() {
        return Path.of(System.getProperty("repo.dir", "..")).toAbsolutePath().normalize();
    }

    /** The folder of the labelled restic and VolSync mover logs, with cases.tsv and README.md. */
    public static Path corpus() {
        URL cases = TestData.class.getResource("/restic-logs/cases.tsv");
        if (cases == null) {
            throw new IllegalStateException("restic-logs/cases.tsv is not on the test classpath");
        }
        try {
            return Path.of(cases.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The original controller's two example VolSyncMonitors. */
    public static Path seedMonitors() {
        Path seed = repo().resolve("examples/volsyncmonitor-seed.yaml");
        if (!Files.isRegularFile(seed)) {
            throw new IllegalStateException(seed + " not found (set -Drepo.dir to the repository)");
        }
        return seed;
    }

    /**
     * What the seed monitors' templates ask for, as docs/migrating.md tells to allow it:
     * {@code --unlock-image-allow quay.io/backube/volsync:* --unlock-image-allow docker.io/restic/restic:*
     * --unlock-service-account-allow volsync-unlock-sa}.
     */
    public static final UnlockAllowList SEED_MONITORS_ALLOW = new UnlockAllowList(
            List.of("quay.io/backube/volsync:*", "docker.io/restic/restic:*"), Set.of("volsync-unlock-sa"));

    /** Rows of restic-logs/cases.tsv: file, expected label, origin, note. */
    public static List<String[]> corpusCases() {
        try {
            return Files.readAllLines(corpus().resolve("cases.tsv")).stream()
                    .skip(1).filter(l -> !l.isBlank()).map(l -> l.split("\t", 4)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

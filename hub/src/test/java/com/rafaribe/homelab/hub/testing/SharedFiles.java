package com.rafaribe.homelab.hub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The project's ../shared folder (design examples, the labelled restic corpus), always beside the repository. */
public final class SharedFiles {
    private SharedFiles() {
    }

    public static Path root() {
        Path root = Path.of(System.getProperty("shared.dir", "../../shared")).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new IllegalStateException("../shared not found at " + root + " (set -Dshared.dir)");
        }
        return root;
    }

    public static Path corpus() {
        return root().resolve("corpus/restic-logs");
    }

    public static Path seedMonitors() {
        return root().resolve("design/examples/volsyncmonitor-seed.yaml");
    }

    /** Rows of corpus/restic-logs/cases.tsv: file, expected label, origin, note. */
    public static List<String[]> corpusCases() {
        try {
            return Files.readAllLines(corpus().resolve("cases.tsv")).stream()
                    .skip(1).filter(l -> !l.isBlank()).map(l -> l.split("\t", 4)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package com.rafaribe.homelab.hub.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** What a shared fixture leaves: closes what was started (in order, skipping what never started), then removes its folder. */
public final class Teardown {
    private Teardown() {
    }

    public static void close(Path folder, AutoCloseable... started) throws Exception {
        for (AutoCloseable c : started) {
            if (c != null) {
                c.close();
            }
        }
        if (folder != null) {
            delete(folder);
        }
    }

    public static void delete(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

package com.rafaribe.homelab.hub.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README's screenshot shows the dashboard as it is: docs/dashboard.sources holds the hash of the files it was taken of. */
class ScreenshotDriftTest {
    static final Path REPO = Path.of(System.getProperty("repo.dir", ".."));

    @Test
    void theScreenshotWasTakenOfTheseDashboardFiles() throws Exception {
        assertThat(REPO.resolve("docs/dashboard.png")).exists();
        assertThat(Files.readString(REPO.resolve("docs/dashboard.sources")).strip())
                .as("web-ui changed since docs/dashboard.png was taken: run scripts/screenshot")
                .isEqualTo(sourcesHash());
    }

    /** What scripts/dashboard-sources prints: sha256sum over the files' sha256sum lines, in byte order of their paths. */
    static String sourcesHash() throws IOException, NoSuchAlgorithmException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(REPO.resolve("web-ui/src/main/resources/webroot"))) {
            files = walk.filter(Files::isRegularFile).map(REPO::relativize).sorted((a, b) -> a.toString().compareTo(b.toString())).toList();
        }
        StringBuilder lines = new StringBuilder();
        for (Path file : files) {
            lines.append(sha256(Files.readAllBytes(REPO.resolve(file)))).append("  ").append(file).append('\n');
        }
        return sha256(lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}

package com.rafaribe.homelab.hub.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.rafaribe.homelab.hub.testing.SharedFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged jar runs on its own with java -jar: every dependency is inside it. */
class HubJarIT {
    record Result(int exit, String out) {
    }

    static Result java(String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("hub.jar", "target/volsync-monitor-hub.jar"));
        assertThat(jar).exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }

    @Test
    void versionAndHelp() throws Exception {
        Result version = java("--version");
        assertThat(version.exit()).isZero();
        assertThat(version.out()).startsWith("volsync-monitor-hub " + HubVersion.version());
        Result help = java("check-log", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Usage: volsync-monitor-hub check-log");
    }

    @Test
    void checkLogOnTheCorpusFromTheJar() throws Exception {
        Path lock = SharedFiles.corpus().resolve("087-volsync-head-backup-vs-live-exclusive-lock.log");
        Path notLock = SharedFiles.corpus().resolve("112-v0.17.0-backup-circuit-breaker-lock-load.log");
        Result r = java("check-log", "--monitor", SharedFiles.seedMonitors().toString(), "--monitor-name", "volsync-monitor-advanced",
                lock.toString(), notLock.toString());
        assertThat(r.exit()).as(r.out()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith(lock + "\tlock\tbuilt-in already-locked").contains("holder restic-maintenance-28896540-h8d2c");
        assertThat(lines.get(1)).startsWith(notLock + "\tnot-lock\tveto circuit-breaker")
                .contains("pattern \"unable to create lock\" matched it");
    }
}

package com.rafaribe.homelab.hub.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The real Debian restic on a local repository, for tests that need restic's own words. */
public final class Restic {
    public static final String PASSWORD = "test-password";
    private final Path repository;

    public Restic(Path repository) {
        this.repository = repository;
    }

    public static boolean installed() {
        try {
            Process p = new ProcessBuilder("restic", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static void requireInstalled() {
        Tier.require(installed(), "tier 3 (real restic)", "restic is not on PATH; apt-get install restic");
    }

    public record Output(int exit, String text) {
    }

    /** Runs restic to completion and returns its exit code and merged output. */
    public Output run(String... args) throws IOException, InterruptedException {
        Process p = start(args);
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("restic " + String.join(" ", args) + " did not finish");
        }
        return new Output(p.exitValue(), text);
    }

    /** Starts restic and leaves it running (its standard input stays open). */
    public Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("restic");
        command.addAll(List.of(args));
        return start(command);
    }

    /** Starts restic under another hostname (root only: a UTS namespace), as a pod of that name would. */
    public Process startAs(String hostname, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("unshare", "--uts", "sh", "-c", "hostname \"$0\" && exec restic \"$@\"", hostname));
        command.addAll(List.of(args));
        return start(command);
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("RESTIC_REPOSITORY", repository.toString());
        env.put("RESTIC_PASSWORD", PASSWORD);
        env.put("RESTIC_CACHE_DIR", repository.resolveSibling(repository.getFileName() + "-cache").toString());
        return pb.start();
    }

    /**
     * A lock restic itself can read. The local backend creates a lock file before it writes its
     * content, so a process killed as soon as the file appears can leave an empty lock that
     * {@code unlock} skips ("cannot be loaded") and that no test meant to create.
     */
    public boolean hasReadableLock() throws IOException, InterruptedException {
        Path locks = repository.resolve("locks");
        List<Path> files;
        try (var s = Files.list(locks)) {
            files = s.toList();
        }
        for (Path file : files) {
            if (run("cat", "lock", file.getFileName().toString(), "--no-lock").exit() == 0) {
                return true;
            }
        }
        return false;
    }

    public boolean hasLocks() throws IOException {
        Path locks = repository.resolve("locks");
        try (var s = Files.list(locks)) {
            return s.findAny().isPresent();
        }
    }
}

package com.rafaribe.homelab.hub.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command-line tool a test runs: whether it is on the PATH, and its exit code and output (stdout and stderr together). */
public final class Command {
    private Command() {
    }

    public record Output(int exit, String text) {
    }

    public static boolean onPath(String command) {
        String path = System.getenv("PATH");
        return path != null && Arrays.stream(path.split(File.pathSeparator)).anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, command)));
    }

    /** Runs {@code argv} in {@code dir}; fails the test if it does not end within {@code timeoutSeconds}. */
    public static Output run(Path dir, long timeoutSeconds, List<String> argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", argv) + " did not end within " + timeoutSeconds + " s");
        }
        return new Output(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }
}

package com.rafaribe.homelab.hub.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM options the image starts the hub with: those between {@code java} and {@code -jar} in the
 * Dockerfile's ENTRYPOINT, and the environment its runtime stage sets ({@code ENV}). The one place they
 * are written down; Jib and the Deployment repeat them (DeployManifestsTest), and the benchmark runs
 * the hub with them by default.
 */
public final class ImageJvmOptions {
    private static final Pattern ENTRYPOINT = Pattern.compile("(?m)^ENTRYPOINT\\s+\\[(.+)]\\s*$");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]*)\"");
    private static final Pattern FROM = Pattern.compile("(?m)^FROM\\s");
    private static final Pattern TOOL_OPTIONS = Pattern.compile("- name: JAVA_TOOL_OPTIONS\\s+value: (.+)");
    private static final Pattern ENV = Pattern.compile("(?m)^ENV\\s+([A-Za-z_][A-Za-z0-9_]*)=(\\S+)\\s*$");

    private ImageJvmOptions() {
    }

    /** @param repo the repository's root */
    public static List<String> of(Path repo) {
        String dockerfile = dockerfile(repo);
        Matcher entrypoint = ENTRYPOINT.matcher(dockerfile);
        String last = null;
        while (entrypoint.find()) {
            last = entrypoint.group(1);
        }
        if (last == null) {
            throw new IllegalStateException("the Dockerfile has no ENTRYPOINT [...]");
        }
        List<String> words = new ArrayList<>();
        Matcher quoted = QUOTED.matcher(last);
        while (quoted.find()) {
            words.add(quoted.group(1));
        }
        int jar = words.indexOf("-jar");
        if (words.isEmpty() || !words.get(0).equals("java") || jar < 0) {
            throw new IllegalStateException("the Dockerfile's ENTRYPOINT is not [\"java\", options..., \"-jar\", jar]: " + last);
        }
        return List.copyOf(words.subList(1, jar));
    }

    /** The runtime stage's {@code ENV NAME=value} lines (one variable each), in order; the build stage's are not the image's. */
    public static Map<String, String> environment(Path repo) {
        String dockerfile = dockerfile(repo);
        Matcher from = FROM.matcher(dockerfile);
        int runtimeStage = 0;
        while (from.find()) {
            runtimeStage = from.start();
        }
        Map<String, String> env = new LinkedHashMap<>();
        Matcher line = ENV.matcher(dockerfile);
        line.region(runtimeStage, dockerfile.length());
        while (line.find()) {
            env.put(line.group(1), line.group(2));
        }
        return env;
    }

    /**
     * The share of its maximum heap the Deployment's hub starts with: its JAVA_TOOL_OPTIONS' InitialRAMPercentage over
     * MaxRAMPercentage, each the JVM's default (1.5625 and 25: a sixteenth) where not set.
     */
    public static double deploymentInitialHeapShare(Path repo) {
        String deployment;
        try {
            deployment = Files.readString(repo.resolve("deploy/base/deployment.yaml"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher options = TOOL_OPTIONS.matcher(deployment);
        if (!options.find()) {
            throw new IllegalStateException("the Deployment sets no JAVA_TOOL_OPTIONS");
        }
        return percentage(options.group(1), "InitialRAMPercentage", 1.5625) / percentage(options.group(1), "MaxRAMPercentage", 25);
    }

    private static double percentage(String options, String flag, double otherwise) {
        Matcher m = Pattern.compile("-XX:" + flag + "=([0-9.]+)").matcher(options);
        return m.find() ? Double.parseDouble(m.group(1)) : otherwise;
    }

    private static String dockerfile(Path repo) {
        try {
            return Files.readString(repo.resolve("Dockerfile"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

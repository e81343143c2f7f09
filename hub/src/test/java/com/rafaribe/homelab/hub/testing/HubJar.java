package com.rafaribe.homelab.hub.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The packaged jar, as a user starts it: {@code java [JVM options] -jar volsync-monitor-hub.jar [arguments]}. */
public final class HubJar {
    private HubJar() {
    }

    public static Path jar() {
        return Path.of(System.getProperty("hub.jar", "target/volsync-monitor-hub.jar"));
    }

    public static List<String> command(String... args) {
        return command(List.of(), List.of(args));
    }

    public static List<String> command(List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar().toString());
        command.addAll(args);
        return command;
    }
}

package com.rafaribe.homelab.hub.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What VolSync's restic mover does, step for step (its entry.sh as of VolSync 0.14 - 0.16 and its
 * documented behaviour): the same restic commands in the same order, the same
 * "===" progress lines and "ERROR:" lines, the same exit codes. Written for the sandbox, not copied.
 */
final class MoverScript {
    /** Runs restic with these arguments in a folder; returns its exit code and merged output. */
    interface Restic {
        Result run(List<String> args, Path workDir) throws IOException, InterruptedException;
    }

    record Result(int exit, String output) {
    }

    private static final List<String> MANDATORY = List.of("PRIVILEGED_MOVER", "RESTIC_CACHE_DIR", "RESTIC_PASSWORD", "RESTIC_REPOSITORY", "DATA_DIR");
    private static final String NO_REPOSITORY = "Is there a repository at the following location";

    private final Restic restic;
    private final Map<String, String> env;
    private final StringBuilder out = new StringBuilder();

    MoverScript(Restic restic, Map<String, String> env) {
        this.restic = restic;
        this.env = env;
    }

    Result run(List<String> operations) throws IOException, InterruptedException {
        long start = System.nanoTime();
        line("Starting container");
        line("VolSync restic container version: sandbox");
        line(String.join(" ", operations));
        out.append(restic.run(List.of("version"), null).output());
        line("Testing mandatory env variables");
        for (String name : MANDATORY) {
            if (env.get(name) == null || env.get(name).isEmpty()) {
                return error(1, name + " must be defined");
            }
        }
        Path data = Path.of(env.get("DATA_DIR"));
        for (String op : operations) {
            Result step = switch (op) {
                case "unlock" -> unlock();
                case "backup" -> backup(data);
                case "prune" -> simple("=== Starting prune ===", List.of("prune"), null);
                case "restore" -> restore(data);
                default -> error(2, "unknown operation: " + op);
            };
            if (step != null) {
                return step;
            }
        }
        line("Restic completed in " + (System.nanoTime() - start) / 1_000_000_000L + "s");
        line("=== Done ===");
        return new Result(0, out.toString());
    }

    private Result unlock() throws IOException, InterruptedException {
        line("=== Starting unlock ===");
        Result r = restic.run(List.of("unlock"), null);
        if (r.exit() == 0) {
            out.append(r.output());
            return null;
        }
        if (r.output().contains(NO_REPOSITORY)) {
            out.append(r.output());
            line("No repo, ignoring unlock error");
            return null;
        }
        return error(3, "failure unlocking repository");
    }

    private Result backup(Path data) throws IOException, InterruptedException {
        line("== Checking directory for content ===");
        try (Stream<Path> entries = Files.list(data)) {
            if (entries.noneMatch(p -> !p.getFileName().toString().equals("lost+found"))) {
                line("== Directory is empty skipping backup ===");
                return new Result(0, out.toString());
            }
        }
        Result init = ensureInitialized();
        if (init != null) {
            return init;
        }
        Result backup = simple("=== Starting backup ===", List.of("backup", "--host", "volsync", "--exclude=lost+found", "."), data);
        if (backup != null) {
            return backup;
        }
        line("=== Starting forget ===");
        String forget = env.get("FORGET_OPTIONS");
        if (forget != null && !forget.isBlank()) {
            List<String> args = new ArrayList<>(List.of("forget", "--host", "volsync"));
            args.addAll(Arrays.asList(forget.trim().split("\\s+")));
            Result r = restic.run(args, null);
            out.append(r.output());
            if (r.exit() != 0) {
                return new Result(r.exit(), out.toString());
            }
        }
        return null;
    }

    private Result restore(Path data) throws IOException, InterruptedException {
        Result init = ensureInitialized();
        if (init != null) {
            return init;
        }
        line("=== Starting restore ===");
        Result snapshots = restic.run(List.of("snapshots"), null);
        if (snapshots.exit() != 0) {
            out.append(snapshots.output());
            return error(3, "failure getting list of snapshots from repository");
        }
        String id = null;
        // Backups run in the data folder, so restic recorded its path: /data in a real pod, the host folder here.
        Pattern ofThisData = Pattern.compile("^([0-9a-f]{8})\\s+.*\\s" + Pattern.quote(data.toString()) + "\\s*$");
        for (String l : snapshots.output().split("\n")) {
            Matcher m = ofThisData.matcher(l.strip());
            if (m.matches()) {
                id = m.group(1);
            }
        }
        if (id == null) {
            line("No eligible snapshots found");
            line("=== No data will be restored ===");
            return null;
        }
        line("Selected restic snapshot with id: " + id);
        return simple(null, List.of("restore", id, "-t", ".", "--host", "volsync"), data);
    }

    /** `restic cat config` says whether the repository exists; exit 11 (restic 0.17+) is a lock conflict. */
    private Result ensureInitialized() throws IOException, InterruptedException {
        line("=== Check for dir initialized ===");
        Result r = restic.run(List.of("cat", "config"), null);
        switch (r.exit()) {
            case 0 -> line("dir is initialized");
            case 1, 124 -> {
                if (!r.output().contains(NO_REPOSITORY)) {
                    out.append(r.output());
                    return error(3, "failure checking existence of repository");
                }
                return initialize();
            }
            case 10 -> {
                return initialize();
            }
            case 11 -> {
                out.append(r.output());
                return error(3, "failure locking repository");
            }
            case 12 -> {
                return error(3, "failure connecting to repository, incorrect password");
            }
            default -> {
                out.append(r.output());
                return error(3, "failure checking existence of repository");
            }
        }
        return null;
    }

    private Result initialize() throws IOException, InterruptedException {
        line("=== Initialize Dir ===");
        Result init = restic.run(List.of("init"), null);
        out.append(init.output());
        return init.exit() == 0 ? null : new Result(init.exit(), out.toString());
    }

    /** One restic step whose failure ends the mover with restic's own exit code (entry.sh runs under set -e). */
    private Result simple(String banner, List<String> args, Path dir) throws IOException, InterruptedException {
        if (banner != null) {
            line(banner);
        }
        Result r = restic.run(args, dir);
        out.append(r.output());
        return r.exit() == 0 ? null : new Result(r.exit(), out.toString());
    }

    private Result error(int code, String message) {
        line("ERROR: " + message);
        return new Result(code, out.toString());
    }

    private void line(String text) {
        out.append(text).append('\n');
    }
}

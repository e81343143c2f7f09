package com.rafaribe.homelab.hub.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The hub process's memory: peak resident set (VmHWM) from /proc, the heap in use after a full GC
 * that jcmd asks for, and what the JVM committed by category when its Native Memory Tracking is on
 * ({@code --java-options -XX:NativeMemoryTracking=summary}).
 */
final class BenchMemory {
    private static final Pattern KIB = Pattern.compile("(?m)^(\\w+):\\s+(\\d+) kB");
    /** G1's one heap line, or each generation's line of the serial and parallel collectors. */
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\s*(?:garbage-first heap|[\\w ]*generation)\\s+total \\d+K, used (\\d+)K");
    /** A category of Native Memory Tracking's summary: "-  Thread (reserved=...KB, committed=...KB)". */
    private static final Pattern NATIVE = Pattern.compile("(?m)^-\\s+([\\w ]+?) \\(reserved=\\d+KB, committed=(\\d+)KB");

    private BenchMemory() {
    }

    static JsonObject measure(long pid) throws IOException, InterruptedException {
        String status = Files.readString(Path.of("/proc", String.valueOf(pid), "status"));
        JsonObject m = new JsonObject();
        Matcher kib = KIB.matcher(status);
        while (kib.find()) {
            if (kib.group(1).equals("VmHWM")) {
                m.put("peakRssMiB", mib(Long.parseLong(kib.group(2))));
            } else if (kib.group(1).equals("VmRSS")) {
                m.put("rssMiB", mib(Long.parseLong(kib.group(2))));
            }
        }
        jcmd(pid, "GC.run");
        long heap = heapUsedKib(jcmd(pid, "GC.heap_info"));
        if (heap >= 0) {
            m.put("heapAfterGcMiB", mib(heap));
        }
        JsonObject committed = nativeCommittedMiB(jcmd(pid, "VM.native_memory summary", false));
        if (!committed.isEmpty()) {
            m.put("nativeCommittedMiB", committed);
        }
        return m;
    }

    /** The heap in use in {@code GC.heap_info}'s answer, summed over the generations; -1 when it names none. */
    static long heapUsedKib(String heapInfo) {
        Matcher used = HEAP_USED.matcher(heapInfo);
        long heap = -1;
        while (used.find()) {
            heap = Math.max(heap, 0) + Long.parseLong(used.group(1));
        }
        return heap;
    }

    /** Each category of at least 1 MiB committed, from {@code VM.native_memory summary}; none when tracking is off. */
    static JsonObject nativeCommittedMiB(String summary) {
        Matcher category = NATIVE.matcher(summary);
        JsonObject committed = new JsonObject();
        while (category.find()) {
            double mib = mib(Long.parseLong(category.group(2)));
            if (mib >= 1) {
                committed.put(category.group(1).strip(), mib);
            }
        }
        return committed;
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        return jcmd(pid, command, true);
    }

    /** @param required false: a command the hub may not answer (Native Memory Tracking is on only when its JVM option is) */
    static String jcmd(long pid, String command, boolean required) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        List<String> line = new ArrayList<>(List.of(jcmd.toString(), String.valueOf(pid)));
        line.addAll(List.of(command.split(" ")));
        Process p = new ProcessBuilder(line).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || (p.exitValue() != 0 && required)) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    private static double mib(long kib) {
        return Math.round(kib / 1024.0 * 10) / 10.0;
    }
}

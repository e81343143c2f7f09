package com.rafaribe.homelab.hub.bench;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The hub process's memory: peak resident set (VmHWM) from /proc, and the heap in use after a full GC that jcmd asks for. */
final class BenchMemory {
    private static final Pattern KIB = Pattern.compile("(?m)^(\\w+):\\s+(\\d+) kB");
    private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\s*garbage-first heap\\s+total \\d+K, used (\\d+)K");

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
        Matcher used = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
        if (used.find()) {
            m.put("heapAfterGcMiB", mib(Long.parseLong(used.group(1))));
        }
        return m;
    }

    static String jcmd(long pid, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid), command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    private static double mib(long kib) {
        return Math.round(kib / 1024.0 * 10) / 10.0;
    }
}

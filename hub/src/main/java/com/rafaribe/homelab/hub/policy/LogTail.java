package com.rafaribe.homelab.hub.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The last {@value #MAX_BYTES} bytes of a log: all the detector ever examines. restic prints its
 * error last, and a hostile or runaway log must not cost more than this much memory or time.
 */
public final class LogTail {
    public static final int MAX_BYTES = 64 * 1024;

    private LogTail() {
    }

    public static String of(String log) {
        if (log == null) {
            return "";
        }
        if (log.length() * 3L <= MAX_BYTES) {
            return log;
        }
        return of(log.getBytes(StandardCharsets.UTF_8));
    }

    public static String of(byte[] bytes) {
        int from = Math.max(0, bytes.length - MAX_BYTES);
        // Never start inside a multi-byte UTF-8 character.
        while (from < bytes.length && from > 0 && (bytes[from] & 0xC0) == 0x80) {
            from++;
        }
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }

    /** Reads only the file's last {@value #MAX_BYTES} bytes, however large it is. */
    public static String of(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long length = raf.length();
            int size = (int) Math.min(length, MAX_BYTES);
            byte[] buffer = new byte[size];
            raf.seek(length - size);
            raf.readFully(buffer);
            return of(buffer);
        }
    }

    /** Streams the input through a ring buffer, keeping only its last {@value #MAX_BYTES} bytes. */
    public static String of(InputStream in) throws IOException {
        byte[] ring = new byte[MAX_BYTES];
        long total = 0;
        byte[] chunk = new byte[8192];
        int n;
        while ((n = in.read(chunk)) > 0) {
            for (int i = 0; i < n; i++) {
                ring[(int) (total++ % MAX_BYTES)] = chunk[i];
            }
        }
        if (total <= MAX_BYTES) {
            return of(Arrays.copyOf(ring, (int) total));
        }
        int start = (int) (total % MAX_BYTES);
        byte[] ordered = new byte[MAX_BYTES];
        System.arraycopy(ring, start, ordered, 0, MAX_BYTES - start);
        System.arraycopy(ring, 0, ordered, MAX_BYTES - start, start);
        return of(ordered);
    }
}
